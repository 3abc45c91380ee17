import Synapse

/// Single-precision matrix products through `Tensor.matmul`, so the numbers include what the
/// framework adds to the GEMM library call (operand layout checks, pool allocation of the result).
///
/// Square sizes from 256 to 8192 (on a CPU-class device, sizes above 2048 only when asked), then
/// the skinny shapes LeNet-5 and AlexNet training produces: fully connected layers forward,
/// backward-data and backward-weights (weights stored `[out, in]` as in PyTorch, so the forward
/// multiplies by a transposed view), and convolutions as the backends run them, `W [O, C·k·k] ×
/// columns [C·k·k, images·pixels]`.
enum GEMMSuite {
    static func cases(_ context: SuiteContext) -> [BenchCase] {
        let squares = context.quick ? [128, 256] : [256, 512, 1024, 2048, 4096, 8192]
        var cases = squares.map { n in
            var c = product("square.\(n)", m: n, k: n, n: n, context)
            if !context.isGPU && n > 2048 && c.skipReason == nil {
                c.skipReason = "above 2048 on a \(context.kindName) device"
            }
            if n == 1024 && !context.isGPU {
                c.notes = ["TARGETS (2-core CPU): PyTorch 184 GFLOP/s, OpenBLAS via NumPy 188, CLBlast on PoCL ~18"]
            }
            return c
        }
        if context.quick {
            cases.append(product("lenet.fc1.forward.b64", m: 64, k: 400, n: 120, transposeB: true, context))
            return cases
        }

        // Fully connected layers: y = x·Wᵀ, dx = dy·W, dW = dyᵀ·x.
        for (model, layer, batch, inputs, outputs) in [("lenet", "fc1", 256, 400, 120),
                                                       ("alexnet", "fc1", 128, 9216, 4096),
                                                       ("alexnet", "fc2", 128, 4096, 4096)] {
            let prefix = "\(model).\(layer)"
            cases.append(product("\(prefix).forward.b\(batch)", m: batch, k: inputs, n: outputs, transposeB: true, context))
            cases.append(product("\(prefix).backward-data.b\(batch)", m: batch, k: outputs, n: inputs, context))
            cases.append(product("\(prefix).backward-weight.b\(batch)", m: outputs, k: batch, n: inputs,
                                 transposeA: true, context))
        }

        // Convolutions as one group's GEMM over a chunk of images.
        let images = context.isGPU ? 32 : 4
        for (name, outputs, reduction, pixels) in [("lenet.conv2", 16, 150, 100),
                                                    ("alexnet.conv1", 96, 363, 55 * 55),
                                                    ("alexnet.conv2", 128, 1200, 27 * 27),
                                                    ("alexnet.conv3", 384, 2304, 13 * 13)] {
            cases.append(product("\(name).as-gemm.\(images)img", m: outputs, k: reduction, n: images * pixels, context))
        }
        return cases
    }

    /// `C[m, n] = op(A)·op(B)` with `op` a transposed view when asked (no copy is made).
    static func product(_ name: String, m: Int, k: Int, n: Int, transposeA: Bool = false, transposeB: Bool = false,
                        _ context: SuiteContext) -> BenchCase {
        let layout = "\(m)×\(k)×\(n)" + (transposeA ? " Aᵀ" : "") + (transposeB ? " Bᵀ" : "")
        let bytes = 4 * (m * k + k * n + m * n)
        return BenchCase(
            suite: "gemm", name: name, shape: layout, work: .flops(2 * Double(m) * Double(k) * Double(n)),
            skipReason: context.memoryProblem(bytes: bytes, largest: 4 * max(m * k, k * n, m * n))
        ) { device in
            let a = transposeA ? Inputs.uniform([k, m], on: device).transposed : Inputs.uniform([m, k], on: device)
            let b = transposeB ? Inputs.uniform([n, k], on: device).transposed : Inputs.uniform([k, n], on: device)
            return Workload { _ in _ = a.matmul(b) }
        }
    }
}
