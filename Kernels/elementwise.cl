// Elementwise kernels: unary and binary float ops, and fill.
//
// Each op comes in two variants:
//   <op>_f32_contig   every operand is contiguous from its offset; one work item handles four
//                     elements with vector loads and stores (tail handled element by element).
//   <op>_f32_strided  the output is contiguous, inputs are any strided view (stride 0 broadcasts).
//                     The host collapses the shape to at most 8 dimensions and passes shape and
//                     strides as int8, innermost dimension in .s0, unused ones never read.
// Scalar operands (`c`) are passed to every kernel so all variants share one signature.

// Offset in a strided input of element `i` of a contiguous output.
#define STEP1(k) if (rank > k) { int q = i / shape.s##k; oa += (i - q * shape.s##k) * sa.s##k; i = q; }
#define STEP2(k) if (rank > k) { int q = i / shape.s##k; int r = i - q * shape.s##k; oa += r * sa.s##k; ob += r * sb.s##k; i = q; }

inline int strided_offset(int i, int rank, int8 shape, int8 sa) {
    int oa = 0;
    STEP1(0) STEP1(1) STEP1(2) STEP1(3) STEP1(4) STEP1(5) STEP1(6) STEP1(7)
    return oa;
}

inline int2 strided_offset2(int i, int rank, int8 shape, int8 sa, int8 sb) {
    int oa = 0, ob = 0;
    STEP2(0) STEP2(1) STEP2(2) STEP2(3) STEP2(4) STEP2(5) STEP2(6) STEP2(7)
    return (int2)(oa, ob);
}

#define UNARY(NAME, EXPR)                                                                          \
inline float NAME##_op(float v, float c) { return EXPR; }                                          \
__kernel void NAME##_f32_contig(__global float* y, int yo, __global const float* x, int xo,       \
                                int n, float c) {                                                  \
    int i = get_global_id(0) * 4;                                                                  \
    if (i >= n) return;                                                                            \
    y += yo; x += xo;                                                                              \
    if (i + 4 <= n) {                                                                              \
        float4 v = vload4(0, x + i);                                                               \
        vstore4((float4)(NAME##_op(v.x, c), NAME##_op(v.y, c), NAME##_op(v.z, c), NAME##_op(v.w, c)), 0, y + i); \
    } else {                                                                                       \
        for (; i < n; ++i) y[i] = NAME##_op(x[i], c);                                              \
    }                                                                                              \
}                                                                                                  \
__kernel void NAME##_f32_strided(__global float* y, int yo, __global const float* x, int xo,      \
                                 int n, float c, int rank, int8 shape, int8 sx) {                 \
    int i = get_global_id(0);                                                                      \
    if (i >= n) return;                                                                            \
    y[yo + i] = NAME##_op(x[xo + strided_offset(i, rank, shape, sx)], c);                          \
}

#define BINARY(NAME, EXPR)                                                                         \
inline float NAME##_op(float a, float b, float c) { return EXPR; }                                 \
__kernel void NAME##_f32_contig(__global float* y, int yo, __global const float* a, int ao,       \
                                __global const float* b, int bo, int n, float c) {                 \
    int i = get_global_id(0) * 4;                                                                  \
    if (i >= n) return;                                                                            \
    y += yo; a += ao; b += bo;                                                                     \
    if (i + 4 <= n) {                                                                              \
        float4 u = vload4(0, a + i), v = vload4(0, b + i);                                         \
        vstore4((float4)(NAME##_op(u.x, v.x, c), NAME##_op(u.y, v.y, c),                           \
                         NAME##_op(u.z, v.z, c), NAME##_op(u.w, v.w, c)), 0, y + i);               \
    } else {                                                                                       \
        for (; i < n; ++i) y[i] = NAME##_op(a[i], b[i], c);                                        \
    }                                                                                              \
}                                                                                                  \
__kernel void NAME##_f32_strided(__global float* y, int yo, __global const float* a, int ao,      \
                                 __global const float* b, int bo, int n, float c,                  \
                                 int rank, int8 shape, int8 sa, int8 sb) {                         \
    int i = get_global_id(0);                                                                      \
    if (i >= n) return;                                                                            \
    int2 o = strided_offset2(i, rank, shape, sa, sb);                                              \
    y[yo + i] = NAME##_op(a[ao + o.x], b[bo + o.y], c);                                            \
}

UNARY(neg, -v)
UNARY(exp, exp(v))
UNARY(log, log(v))
UNARY(sqrt, sqrt(v))
UNARY(abs, fabs(v))
UNARY(relu, v < 0.0f ? 0.0f : v)  // NaN passes through, as in PyTorch
UNARY(tanh, tanh(v))
UNARY(sigmoid, 1.0f / (1.0f + exp(-v)))
UNARY(square, v * v)
UNARY(recip, 1.0f / v)
UNARY(add_scalar, v + c)
UNARY(mul_scalar, v * c)
UNARY(pow_scalar, c == 2.0f ? v * v : (c == 1.0f ? v : pow(v, c)))
UNARY(rsub_scalar, c - v)

BINARY(add, a + b)
BINARY(sub, a - b)
BINARY(mul, a * b)
BINARY(div, a / b)
// NaN wins, as in torch.maximum / torch.minimum.
BINARY(max, (a > b || isnan(a)) ? a : b)
BINARY(min, (a < b || isnan(a)) ? a : b)
BINARY(eq, a == b ? 1.0f : 0.0f)
BINARY(relu_backward, b > 0.0f ? a : 0.0f)
BINARY(tanh_backward, a * (1.0f - b * b))
BINARY(sigmoid_backward, a * b * (1.0f - b))
// d/db b^c = c b^(c-1), defined as 0 everywhere for c == 0 (as PyTorch does).
BINARY(pow_backward, c == 0.0f ? 0.0f : (c == 2.0f ? a * 2.0f * b : a * c * pow(b, c - 1.0f)))

// Sets n 32-bit words to `bits` (a float or an int32, converted on the host).
__kernel void fill_u32(__global uint* y, int yo, int n, uint bits) {
    int i = get_global_id(0) * 4;
    if (i >= n) return;
    y += yo;
    if (i + 4 <= n) vstore4((uint4)(bits), 0, y + i);
    else for (; i < n; ++i) y[i] = bits;
}
