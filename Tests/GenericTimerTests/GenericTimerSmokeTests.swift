import Testing
@testable import GenericTimer
