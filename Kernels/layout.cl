// Layout kernels: strided view to contiguous copy. Elements are moved as 32-bit words, so one
// kernel serves float32 and int32 alike.

#define STEP1(k) if (rank > k) { int q = i / shape.s##k; o += (i - q * shape.s##k) * sx.s##k; i = q; }

// Both sides contiguous (offsets may differ): four words per work item.
__kernel void copy_u32_contig(__global uint* y, int yo, __global const uint* x, int xo, int n) {
    int i = get_global_id(0) * 4;
    if (i >= n) return;
    y += yo; x += xo;
    if (i + 4 <= n) vstore4(vload4(0, x + i), 0, y + i);
    else for (; i < n; ++i) y[i] = x[i];
}

// Contiguous output, strided input: shape and strides innermost first (.s0), `rank` of them used.
__kernel void copy_u32_strided(__global uint* y, int yo, __global const uint* x, int xo, int n,
                               int rank, int8 shape, int8 sx) {
    int i = get_global_id(0);
    if (i >= n) return;
    int out = i, o = 0;
    STEP1(0) STEP1(1) STEP1(2) STEP1(3) STEP1(4) STEP1(5) STEP1(6) STEP1(7)
    y[yo + out] = x[xo + o];
}
