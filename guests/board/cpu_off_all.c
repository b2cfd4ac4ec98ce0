// PSCI CPU_OFF on the only running vCPU: nothing is left that could ever turn a CPU back on,
// so the VMM ends the run as "stopped making progress" (armvm exit status 4). CPU_OFF does
// not return on success (DEN0022 5.1.3).
#include "board.h"

int main(void) {
    puts("turning the last cpu off");
    psci_hvc(PSCI_CPU_OFF, 0, 0, 0);
    fail("CPU_OFF returned");
}
