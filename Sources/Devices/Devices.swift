// The Devices module. See docs/ARCHITECTURE.md.
