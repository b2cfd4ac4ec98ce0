// The GIC module. See docs/ARCHITECTURE.md.
