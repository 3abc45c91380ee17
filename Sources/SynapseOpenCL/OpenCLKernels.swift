import SynapseBackend

/// The one list of every kernel the OpenCL dispatch code launches, by the file that defines it.
///
/// `KernelLibrary.kernel(named:)` refuses names not listed here (`DeviceError.missingKernel`), and a
/// test builds every file and checks that each listed name exists, so a kernel renamed in `Kernels/`
/// and not here (or the other way round) fails the tests instead of a user's training run.
/// Names follow `<op>_<dtype>[_<variant>]`.
public enum OpenCLKernels {
    /// Kernel names by file name.
    public static let byFile: [String: [String]] = [
        "elementwise.cl": elementwiseKernels,
        "layout.cl": ["copy_u32_contig", "copy_u32_strided"],
        "random.cl": ["uniform_f32", "normal_f32", "dropout_mask_f32"],
        "reduce.cl": ["sum_f32_rows", "sum_f32_cols", "max_f32_rows", "max_f32_cols",
                      "argmax_f32_rows", "argmax_f32_cols", "sum_slices_f32", "count_correct_f32"],
        "softmax.cl": ["softmax_f32", "log_softmax_f32", "cross_entropy_f32", "cross_entropy_backward_f32"],
        "conv.cl": ["im2col_f32", "col2im_f32"],
        "conv_direct.cl": ["conv_direct_f32"],
        "conv_direct_weight.cl": ["conv_direct_weight_f32"],
        "gemm.cl": ["gemm_f32"],
        "pool.cl": ["max_pool2d_f32", "max_pool2d_backward_f32", "avg_pool2d_f32", "avg_pool2d_backward_f32"],
        "normalization.cl": ["lrn_f32", "lrn_backward_f32", "batch_norm_stats_f32", "batch_norm_moments_f32",
                             "batch_norm_apply_f32", "batch_norm_backward_reduce_f32", "batch_norm_backward_apply_f32"],
        "epilogue.cl": ["bias_activation_f32", "bias_activation_backward_f32", "bias_activation_backward_bias_f32"],
        "optim.cl": ["sgd_f32", "adam_f32"],
    ]

    /// Every kernel name, sorted.
    public static var all: [String] { byFile.values.flatMap { $0 }.sorted() }

    /// The file that defines `name`, or nil when the name is not in the list.
    public static func file(of name: String) -> String? { fileByName[name] }

    private static let fileByName: [String: String] = {
        var map: [String: String] = [:]
        for (file, names) in byFile { for name in names { map[name] = file } }
        return map
    }()

    // MARK: Elementwise names, derived from the ops so dispatch and list cannot drift apart

    static let unaryBases = ["neg", "exp", "log", "sqrt", "abs", "relu", "tanh", "sigmoid", "square", "recip",
                             "add_scalar", "mul_scalar", "pow_scalar", "rsub_scalar"]
    static let binaryBases = ["add", "sub", "mul", "div", "max", "min", "eq",
                              "relu_backward", "tanh_backward", "sigmoid_backward", "pow_backward"]
    private static let elementwiseKernels: [String] =
        (unaryBases + binaryBases).flatMap { ["\($0)_f32_contig", "\($0)_f32_strided"] } + ["fill_u32"]

    /// Kernel base name and scalar operand of a unary op.
    static func unary(_ op: UnaryOp) -> (base: String, scalar: Float) {
        switch op {
        case .negate: return ("neg", 0)
        case .exp: return ("exp", 0)
        case .log: return ("log", 0)
        case .sqrt: return ("sqrt", 0)
        case .abs: return ("abs", 0)
        case .relu: return ("relu", 0)
        case .tanh: return ("tanh", 0)
        case .sigmoid: return ("sigmoid", 0)
        case .square: return ("square", 0)
        case .reciprocal: return ("recip", 0)
        case let .addScalar(c): return ("add_scalar", c)
        case let .mulScalar(c): return ("mul_scalar", c)
        case let .powScalar(c): return ("pow_scalar", c)
        case let .reverseSubScalar(c): return ("rsub_scalar", c)
        }
    }

    /// Kernel base name and scalar operand of a binary op.
    static func binary(_ op: BinaryOp) -> (base: String, scalar: Float) {
        switch op {
        case .add: return ("add", 0)
        case .sub: return ("sub", 0)
        case .mul: return ("mul", 0)
        case .div: return ("div", 0)
        case .maximum: return ("max", 0)
        case .minimum: return ("min", 0)
        case .equal: return ("eq", 0)
        case .reluBackward: return ("relu_backward", 0)
        case .tanhBackward: return ("tanh_backward", 0)
        case .sigmoidBackward: return ("sigmoid_backward", 0)
        case let .powBackward(exponent): return ("pow_backward", exponent)
        }
    }
}
