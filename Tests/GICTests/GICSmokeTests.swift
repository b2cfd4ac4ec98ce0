import Testing
@testable import GIC
