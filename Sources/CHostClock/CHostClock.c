// Everything is static inline in include/CHostClock.h; this file exists because a C target
// needs a translation unit.
#include "CHostClock.h"
