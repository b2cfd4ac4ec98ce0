// Shared helpers for the test targets (building guest programs, running a bare CPU).
