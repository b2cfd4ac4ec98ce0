// PSCI SYSTEM_RESET (0x84000009) over HVC: the VMM ends the run with a reset request (it does
// not reboot the guest itself), so nothing after the call may run.
#include "board.h"

int main(void) {
    puts("resetting");
    psci_hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
    fail("SYSTEM_RESET returned");
}
