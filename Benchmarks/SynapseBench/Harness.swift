import Synapse

/// Times cases on one device: a first run (reported on its own: it pays for kernel builds, program
/// cache loads and pool misses), up to `warmup` untimed runs (fewer once they, with the first run,
/// have taken `maxSeconds`), then up to `iterations` timed runs. The
/// device is synchronised before every clock stop, so asynchronous queues are timed to completion.
struct Harness {
    let device: any Device
    let iterations: Int
    let warmup: Int
    /// Timed runs stop once they have used this many seconds (but never before 3 runs).
    let maxSeconds: Double

    /// Kernel programs the device has built from source and loaded from cache so far (OpenCL only).
    var kernelBuilds: KernelLibrary.Statistics? {
        (device as? OpenCLDevice)?.kernels.statistics
    }

    /// Runs `benchCase` and summarises its timings. Throws when the case or the device fails.
    func measure(_ benchCase: BenchCase) throws -> CaseResult {
        try Tensor.synchronize(device)
        device.resetPeakMemory()
        defer { device.trimPool() }
        let buildsBefore = kernelBuilds
        let phases = PhaseTimer(device: device)
        var result: CaseResult = try withExtendedLifetime(try benchCase.prepare(device)) { workload in
            try Tensor.synchronize(device)

            let first = try time(workload, phases)
            let buildsAfter = kernelBuilds
            // Warm-ups stop early once they have cost `maxSeconds` (slow cases on CPU-class devices).
            var warmed = 0, warmSpent = first
            while warmed < warmup && warmSpent < maxSeconds {
                warmSpent += try time(workload, phases)
                warmed += 1
            }

            let allocationsBefore = device.memory.driverAllocations
            var totals: [Double] = []
            var phaseTimes: [String: [Double]] = [:]
            var phaseOrder: [String] = []
            var spent = 0.0
            while totals.count < iterations && (spent < maxSeconds || totals.count < min(3, iterations)) {
                let seconds = try time(workload, phases)
                totals.append(seconds)
                spent += seconds
                for (name, value) in phases.durations {
                    if phaseTimes[name] == nil { phaseOrder.append(name) }
                    phaseTimes[name, default: []].append(value)
                }
            }
            let sorted = totals.sorted()
            let median = Harness.median(sorted)
            return CaseResult(
                id: benchCase.id, suite: benchCase.suite, name: benchCase.name, shape: benchCase.shape,
                iterations: totals.count, warmup: warmed,
                medianSeconds: median, minSeconds: sorted.first ?? 0, maxSeconds: sorted.last ?? 0,
                firstRunSeconds: first,
                work: benchCase.work.amount, workUnit: benchCase.work.workUnit,
                rate: benchCase.work.rate(seconds: median), rateUnit: benchCase.work.rateUnit,
                bestRate: benchCase.work.rate(seconds: sorted.first ?? 0),
                phases: phaseOrder.isEmpty ? nil : phaseOrder.map {
                    PhaseResult(name: $0, medianSeconds: Harness.median(phaseTimes[$0]!.sorted()))
                },
                peakMemoryBytes: 0,
                driverAllocationsTimed: device.memory.driverAllocations - allocationsBefore,
                kernelBuildsFirstRun: buildsAfter.map { $0.buildsFromSource - (buildsBefore?.buildsFromSource ?? 0) },
                kernelCacheLoadsFirstRun: buildsAfter.map { $0.buildsFromBinary - (buildsBefore?.buildsFromBinary ?? 0) },
                facts: workload.facts.isEmpty ? nil : workload.facts,
                notes: benchCase.notes.isEmpty ? nil : benchCase.notes)
        }
        result.peakMemoryBytes = device.memory.peak
        return result
    }

    /// One iteration, from enqueue to the device being idle again.
    private func time(_ workload: Workload, _ phases: PhaseTimer) throws -> Double {
        let start = ContinuousClock.now
        phases.reset()
        try workload.run(phases)
        try Tensor.synchronize(device)
        return (ContinuousClock.now - start).seconds
    }

    /// Median of an ascending array (mean of the middle two for even counts).
    static func median(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
