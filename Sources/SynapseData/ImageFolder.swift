import Dispatch
import Foundation
import SynapseBackend
import SynapseIO

/// A folder of labelled images in torchvision's `ImageFolder` layout: one sub-folder per class
/// holding PNG and JPEG files (searched recursively; other files are ignored), either directly
/// under the root or under `train/` and `val/`. Classes are the sub-folder names, sorted, so
/// labels are those torchvision gives.
public struct ImageFolder: Sendable {
    /// One image and its label.
    public struct Item: Sendable, Hashable {
        /// The file.
        public let path: String
        /// Index into `classNames`.
        public let label: Int32
    }

    /// The folder given.
    public let root: String
    /// Class names, indexed by label.
    public let classNames: [String]
    /// Training images (all of them when there is neither `val/` nor a split).
    public let train: [Item]
    /// Evaluation images: `val/`, or the held-out split; empty when there is neither.
    public let validation: [Item]

    /// Scans `root`.
    ///
    /// - Parameters:
    ///   - validationSplit: without `train/`/`val/`, the fraction of each class held out (seeded).
    ///   - classNames: the labels to use (a checkpoint's); every class folder must be one of them.
    /// - Throws: `DataError` naming the folder: missing, no class folders, no images, or a class
    ///   folder that is not among `classNames`.
    public static func scan(_ root: String, validationSplit: Double? = nil, seed: UInt64 = 0,
                            classNames: [String]? = nil) throws -> ImageFolder {
        let trainRoot = root + "/train", valRoot = root + "/val"
        guard isDirectory(root) else {
            throw DataError.io(file: root, operation: "reading the image folder", reason: "no such directory")
        }
        let split = isDirectory(trainRoot)
        let names = try classNames ?? classFolders(split ? trainRoot : root)
        guard !names.isEmpty else {
            throw DataError.malformed(file: root, reason: "holds no class folders (one sub-folder of PNG/JPEG images per class)")
        }
        var train = try items(split ? trainRoot : root, classNames: names)
        var validation = split && isDirectory(valRoot) ? try items(valRoot, classNames: names) : []
        if !split, let fraction = validationSplit {
            (train, validation) = Self.split(train, fraction: fraction, seed: seed)
        }
        guard !train.isEmpty || !validation.isEmpty else {
            throw DataError.malformed(file: root, reason: "holds no PNG or JPEG images")
        }
        return ImageFolder(root: root, classNames: names, train: train, validation: validation)
    }

    /// Holds out about `fraction` of each class (at least one image of a class with two or more).
    static func split(_ items: [Item], fraction: Double, seed: UInt64) -> (train: [Item], validation: [Item]) {
        var train: [Item] = [], validation: [Item] = []
        let byClass = Dictionary(grouping: items, by: \.label)
        for label in byClass.keys.sorted() {
            let members = byClass[label]!
            let order = ShuffleOrder.permutation(count: members.count, seed: seed, epoch: Int(label) - 1_000_000)
            let held = members.count < 2 ? 0 : Swift.max(1, Int((Double(members.count) * fraction).rounded()))
            for (rank, index) in order.enumerated() {
                if rank < held { validation.append(members[index]) } else { train.append(members[index]) }
            }
        }
        return (train.sorted { $0.path < $1.path }, validation.sorted { $0.path < $1.path })
    }

    /// At most `limit` of `items`, evenly spaced, so every class keeps its share (items are grouped by class).
    public static func spread(_ items: [Item], limit: Int?) -> [Item] {
        guard let limit, limit < items.count else { return items }
        return (0..<Swift.max(limit, 0)).map { items[$0 * items.count / limit] }
    }

    /// The sorted names of the sub-folders of `directory` (hidden ones left out).
    static func classFolders(_ directory: String) throws -> [String] {
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw DataError.io(file: directory, operation: "listing the image folder", reason: "\(error.localizedDescription)")
        }
        return entries.filter { !$0.hasPrefix(".") && isDirectory(directory + "/" + $0) }.sorted()
    }

    /// Every image file under each class folder of `directory`, labelled by `classNames`.
    static func items(_ directory: String, classNames: [String]) throws -> [Item] {
        let index = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, Int32($0)) })
        var items: [Item] = []
        for name in try classFolders(directory) {
            guard let label = index[name] else {
                throw DataError.malformed(file: directory + "/" + name,
                                          reason: "is a class the model does not know (its classes: \(classNames.joined(separator: ", ")))")
            }
            let folder = directory + "/" + name
            let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
            for file in files.sorted() where DecodedImage.extensions.contains((file as NSString).pathExtension.lowercased()) {
                items.append(Item(path: folder + "/" + file, label: label))
            }
        }
        return items
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// Decodes every image of `items` once (on all cores) and returns those that decode. Without
    /// `skipBad`, the first that does not (in path order) is thrown: `DataError` naming the file.
    public static func verify(_ items: [Item], skipBad: Bool) throws -> (usable: [Item], bad: [(path: String, reason: String)]) {
        let results = ConcurrentSlots([String?](repeating: nil, count: items.count))
        DispatchQueue.concurrentPerform(iterations: items.count) { i in
            do { _ = try DecodedImage.read(items[i].path) } catch {
                results.set(i, "\(error)")
            }
        }
        var usable: [Item] = [], bad: [(path: String, reason: String)] = []
        for (item, failure) in zip(items, results.values) {
            guard let failure else { usable.append(item); continue }
            if !skipBad { throw DataError.malformed(file: item.path, reason: Self.reason(failure, path: item.path)) }
            bad.append((item.path, failure))
        }
        return (usable, bad)
    }

    /// A decoder message without the leading file name it already carries.
    static func reason(_ message: String, path: String) -> String {
        message.hasPrefix(path + ": ") ? String(message.dropFirst(path.count + 2)) : message
    }
}

/// Results written by concurrent iterations, one slot each, behind a lock.
final class ConcurrentSlots<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Element]
    init(_ values: [Element]) { self.values = values }
    func set(_ index: Int, _ value: Element) { lock.lock(); values[index] = value; lock.unlock() }
}
