import Foundation
import SynapseIO

extension Trainer {
    /// Throws `TrainingError.invalidOption` for `--save` unless `path` can take a checkpoint file:
    /// not empty, not a directory (an existing one, or a path ending in `/`), not a device, FIFO or
    /// dangling link, in a directory that exists and can be written. Check before training so no epoch is lost to a bad path.
    public static func checkSavePath(_ path: String) throws {
        func reject(_ reason: String) -> TrainingError { .invalidOption(option: "--save", reason: reason) }
        guard !path.isEmpty else { throw reject("the path is empty; give a file such as run.safetensors") }
        let name = (path as NSString).lastPathComponent
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard !path.hasSuffix("/"), name != ".", name != "..", !(exists && isDirectory.boolValue) else {
            let folder = path.hasSuffix("/") ? path : path + "/"
            throw reject("'\(path)' is a directory; give a file inside it, such as \(folder)run.safetensors")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw reject("directory \(directory) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw reject("cannot write to directory \(directory)")
        }
        // What is there must be replaceable by a file: not a device, a FIFO or a dangling link.
        do { _ = try HostFile.saveTarget(for: path) } catch let error as DataError {
            throw reject(error.description)
        }
    }
}
