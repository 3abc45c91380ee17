import Foundation
import SynapseTestSupport
import Testing

/// The kernel tuner and its file: a wrong candidate is never picked, results survive a new
/// process (a new `KernelTuning` on the same directory), and a damaged or foreign file is
/// ignored, not trusted.
@Suite struct KernelTunerTests {
    static let geometry = Conv2dGeometry(batch: 4, inChannels: 3, inHeight: 9, inWidth: 11, outChannels: 5,
                                         kernelHeight: 3, kernelWidth: 3, padding: (1, 1))

    static func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("synapse-tuning-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func tuning(for device: OpenCLDevice, in directory: URL) -> KernelTuning {
        KernelTuning(deviceName: device.info.name, driver: device.info.driverVersion, deviceKind: device.info.kind,
                          directory: directory)
    }

    /// Each problem kind with a deliberately wrong candidate of our kernels beside a right one
    /// and the CLBlast-based reference.
    static var wrongCandidateCases: [(TunableProblem, wrong: TunedAlgorithm, right: TunedAlgorithm)] {
        var cases: [(TunableProblem, wrong: TunedAlgorithm, right: TunedAlgorithm)] = []
        for pass in ConvolutionPass.allCases {
            var wrong = DirectConvolutionBlocking(outputsPerItem: 2, columnsPerItem: 4, groupSize: 16,
                                                  slices: pass == .weightGradient ? 2 : 1)
            let right = wrong
            wrong.deliberatelyWrong = true
            cases.append((.convolution(ConvolutionProblem(pass, geometry)), .convolution(.direct(wrong)), .convolution(.direct(right))))
        }
        var wrong = GemmBlocking(rowsPerItem: 4, columnsPerItem: 4, groupSize: 16)
        let right = wrong
        wrong.deliberatelyWrong = true
        cases.append((.matmul(MatMulProblem(transposeA: false, transposeB: true, batch: 2, m: 9, n: 13, k: 7)),
                      .matmul(.own(wrong)), .matmul(.own(right))))
        return cases
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func aWrongCandidateIsRejectedHoweverFast(spec: String) throws {
        let device = try Harness.openCL(spec)
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (problem, wrong, right) in Self.wrongCandidateCases {
            let library = device.tuningCandidates(for: problem)[0]
            let report = try device.tune(problem, candidates: [wrong, right, library],
                                         recordingIn: Self.tuning(for: device, in: directory))
            #expect(report.winner != wrong, "\(problem)")
            let rejected = report.trials.first { $0.algorithm == wrong }
            #expect(rejected?.milliseconds == nil && rejected?.rejection?.contains("wrong result") == true, "\(report.trials)")
            #expect(report.trials.filter { $0.milliseconds != nil }.count == 2, "\(problem)")
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func resultsSurviveANewProcessAndDriveTheChoice(spec: String) throws {
        let device = try Harness.openCL(spec)
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let problem = ConvolutionProblem(.forward, Self.geometry)
        let product = MatMulProblem(transposeA: true, transposeB: false, m: 17, n: 5, k: 33)
        let first = Self.tuning(for: device, in: directory)
        #expect(first.tunedProblemCount == 0)
        let report = try device.tune(.convolution(problem), budget: 5, recordingIn: first)
        #expect(report.trials.count >= 2 && report.libraryMilliseconds != nil && report.defaultMilliseconds != nil)
        let productReport = try device.tune(.matmul(product), budget: 5, recordingIn: first)
        #expect(productReport.trials.count >= 2 && productReport.libraryMilliseconds != nil)

        let second = Self.tuning(for: device, in: directory)
        #expect(second.tunedProblemCount == 2)
        #expect(second.result(forKey: problem.key)?.algorithm == report.winner)
        #expect(TunedAlgorithm.convolution(second.algorithm(for: problem).algorithm) == report.winner)
        #expect(TunedAlgorithm.matmul(second.algorithm(for: product).algorithm) == productReport.winner)
        // Another geometry is not tuned: it gets the device class's default.
        let other = ConvolutionProblem(.weightGradient, Self.geometry)
        #expect(TunedAlgorithm.convolution(second.algorithm(for: other).algorithm) == device.untunedAlgorithm(for: .convolution(other)))
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func tuningOnFirstUseTunesOnceAndRemembers(spec: String) throws {
        let device = try Harness.openCL(spec)
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tuning = Self.tuning(for: device, in: directory)
        let problem = ConvolutionProblem(.inputGradient, Self.geometry)
        #expect(tuning.algorithm(for: problem).needsTuning == false)
        tuning.tunesOnFirstUse = true
        #expect(tuning.algorithm(for: problem).needsTuning == true)
        try device.tune(.convolution(problem), budget: 2, recordingIn: tuning)
        #expect(tuning.algorithm(for: problem).needsTuning == false)
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func aDamagedOrForeignFileIsIgnored(spec: String) throws {
        let device = try Harness.openCL(spec)
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let problem = ConvolutionProblem(.forward, Self.geometry)
        let url = Self.tuning(for: device, in: directory).fileURL!
        let untuned = device.untunedAlgorithm(for: .convolution(problem))
        let foreign = TuningFile(device: "Some Other GPU", driver: "1.0", entries: [
            problem.key: .init(algorithm: .convolution(.direct(DirectConvolutionBlocking(outputsPerItem: 1, columnsPerItem: 1, groupSize: 1))),
                               milliseconds: 1)])
        for damage in [Data("{\"format\": \"synapse-kernel-tuning\", \"version\": 1, \"dev".utf8),
                       Data([0xFF, 0x00, 0x12]), foreign.encoded()] {
            try damage.write(to: url)
            let tuning = Self.tuning(for: device, in: directory)
            #expect(tuning.tunedProblemCount == 0)
            #expect(TunedAlgorithm.convolution(tuning.algorithm(for: problem).algorithm) == untuned)
        }
        // A later result replaces the damaged file with a good one.
        let tuning = Self.tuning(for: device, in: directory)
        try device.tune(.convolution(problem), budget: 1, recordingIn: tuning)
        #expect(Self.tuning(for: device, in: directory).tunedProblemCount == 1)
    }

    @Test func theFileFormatRoundTripsAndRefusesEveryDamage() throws {
        let file = TuningFile(device: "dev \"quoted\"", driver: "3.1", entries: [
            "forward n1": .init(algorithm: .convolution(.im2colGEMM), milliseconds: 2.5, defaultMilliseconds: 3,
                                libraryMilliseconds: 2.5),
            "weight-gradient n2": .init(algorithm: .convolution(.direct(DirectConvolutionBlocking(outputsPerItem: 4, columnsPerItem: 7,
                                                                                                  groupSize: 8, slices: 4))),
                                        milliseconds: 1.25),
            "matmul NT b1 2x3x4": .init(algorithm: .matmul(.own(GemmBlocking(rowsPerItem: 8, columnsPerItem: 4, groupSize: 16))),
                                        milliseconds: 0.5),
            "matmul NN b1 2x3x4": .init(algorithm: .matmul(.clblast), milliseconds: 0.75),
        ])
        #expect(try TuningFile.parse(file.encoded()) == file)
        let text = String(decoding: file.encoded(), as: UTF8.self)
        let damages: [(String, String)] = [
            (text.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2"), "version"),
            (text.replacingOccurrences(of: "synapse-kernel-tuning", with: "other"), "format"),
            (text.replacingOccurrences(of: "\"slices\": 4", with: "\"slices\": 0"), "slices"),
            (text.replacingOccurrences(of: "\"slices\": 4", with: "\"slices\": 99999"), "slices"),
            (text.replacingOccurrences(of: "\"milliseconds\": 1.2500", with: "\"milliseconds\": -1"), "milliseconds"),
            (text.replacingOccurrences(of: "\"algorithm\": \"im2col\"", with: "\"algorithm\": \"winograd\""), "algorithm"),
            (text.replacingOccurrences(of: "\"rowsPerItem\": 8", with: "\"rowsPerItem\": 8.5"), "rowsPerItem"),
            (text.replacingOccurrences(of: "\"columnsPerItem\": 7, ", with: ""), "columnsPerItem"),
            (String(text.dropLast(5)), "not JSON"),
        ]
        for (damaged, word) in damages {
            #expect(throws: TuningFile.ParseError.self, "\(word)") { try TuningFile.parse(Data(damaged.utf8)) }
            do { _ = try TuningFile.parse(Data(damaged.utf8)) } catch {
                #expect("\(error)".contains(word), "\(error)")
            }
        }
    }
}
