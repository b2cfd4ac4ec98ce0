// The GenericTimer module. See docs/ARCHITECTURE.md.
