import AArch64
// The Machine module: the 'virt' board. See docs/ARCHITECTURE.md.
