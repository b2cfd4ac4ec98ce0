import ArgumentParser
import Glibc

/// Reads a whole file, with an error that names the file and the problem.
func readFile(_ path: String, role: String) throws -> [UInt8] {
    guard let file = fopen(path, "rb") else {
        throw ValidationError("cannot open \(role) '\(path)': \(String(cString: strerror(errno)))")
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n > 0 { bytes.append(contentsOf: buffer[0..<n]) }
        if n < buffer.count {
            if ferror(file) != 0 { throw ValidationError("cannot read \(role) '\(path)'") }
            break
        }
    }
    guard !bytes.isEmpty else { throw ValidationError("\(role) '\(path)' is empty") }
    return bytes
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    guard let file = fopen(path, "wb") else {
        throw ValidationError("cannot create '\(path)': \(String(cString: strerror(errno)))")
    }
    defer { fclose(file) }
    guard fwrite(bytes, 1, bytes.count, file) == bytes.count else {
        throw ValidationError("cannot write '\(path)'")
    }
}

/// Guest console output: unbuffered bytes to standard output.
let standardOutputConsole: @Sendable (UInt8) -> Void = { byte in
    var b = byte
    _ = Glibc.write(1, &b, 1)
}

func printError(_ message: String) {
    let line = "armvm: \(message)\n"
    _ = line.withCString { Glibc.write(2, $0, strlen($0)) }
}

/// Runs `body`, turning a bad file or option (`ValidationError`) into the documented VMM-error
/// status 1 with the message on standard error, instead of ArgumentParser's usage status 64.
func checkingUserInput<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ValidationError {
        printError(error.message)
        throw ExitCode(1)
    }
}
