// Direct (implicit-GEMM) 2-D convolution: no column matrix, inputs read straight from NCHW.
//
// Built once per geometry and tuning candidate: the geometry and the blocking are preprocessor
// constants, so index arithmetic folds and the tap loops unroll. Kernel-side names:
//   C, H, W        channels and size of the tensor read (x forward, dy for the input gradient)
//   OC, OH, OW     channels and size of the tensor written
//   KH, KW, SY, SX, PY, PX, DY, DX, G   kernel, stride, padding (may be negative), dilation, groups
//   TM             output channels per work item       TN   consecutive output columns per work item
//   FLIP           1: the input-gradient pass; weights are read as [C, OC/G, KH, KW] with the taps
//                  flipped (a stride-1 correlation of dy with the transposed, rotated kernel)
//   HAS_BIAS, ACTIVATION (0 none, 1 ReLU, 2 tanh, 3 sigmoid)   forward epilogue
//   SPLIT          image slices of the weight-gradient pass, each written as a partial sum
//   DELIBERATELY_WRONG   tests only: a candidate whose result is off, which the tuner must reject

#ifndef C
// A plain build (no defines) compiles a small example geometry, so every file builds on its own.
#define C 2
#define H 8
#define W 8
#define OC 4
#define OH 6
#define OW 6
#define KH 3
#define KW 3
#define SY 1
#define SX 1
#define PY 0
#define PX 0
#define DY 1
#define DX 1
#define G 1
#define TM 2
#define TN 3
#define FLIP 0
#define SPLIT 1
#define HAS_BIAS 0
#define ACTIVATION 0
#endif
#ifndef DELIBERATELY_WRONG
#define DELIBERATELY_WRONG 0
#endif

#define CG (C / G)
#define OCG (OC / G)
#define KSIZE (KH * KW)
// Input columns one row of TN outputs touches, for all KW taps.
#define SPAN ((TN - 1) * SX + (KW - 1) * DX + 1)

#if FLIP
// Forward weight [C_written, OC_read/G, KH, KW]: the read channel r of group g and written channel o.
#define WEIGHT(g, o, r, ky, kx) w[wo + (((g) * CG + (r)) * OCG + (o)) * KSIZE + (KH - 1 - (ky)) * KW + (KW - 1 - (kx))]
#else
#define WEIGHT(g, o, r, ky, kx) w[wo + (((g) * OCG + (o)) * CG + (r)) * KSIZE + (ky) * KW + (kx)]
#endif

inline float activate(float v) {
#if ACTIVATION == 1
    return v < 0.0f ? 0.0f : v;
#elif ACTIVATION == 2
    return tanh(v);
#elif ACTIVATION == 3
    return 1.0f / (1.0f + exp(-v));
#else
    return v;
#endif
}

// dim 0: (n, oy, column block of TN); dim 1: blocks of TM output channels, group-major.
__kernel void conv_direct_f32(__global float* y, int yo, __global const float* x, int xo,
                              __global const float* w, int wo, __global const float* bias, int bo, int N) {
    const int columnBlocks = (OW + TN - 1) / TN;
    int t = get_global_id(0);
    if (t >= N * OH * columnBlocks) return;
    const int ox0 = (t % columnBlocks) * TN;
    t /= columnBlocks;
    const int oy = t % OH, n = t / OH;
    const int blocksPerGroup = (OCG + TM - 1) / TM;
    const int g = get_global_id(1) / blocksPerGroup;
    const int o0 = (get_global_id(1) % blocksPerGroup) * TM;
    if (g >= G) return;

    float acc[TM][TN];
    for (int i = 0; i < TM; ++i)
        for (int j = 0; j < TN; ++j) acc[i][j] = 0.0f;
    __global const float* xg = x + xo + (n * C + g * CG) * H * W;
    const int ix0 = ox0 * SX - PX;
    for (int r = 0; r < CG; ++r) {
        for (int ky = 0; ky < KH; ++ky) {
            const int iy = oy * SY - PY + ky * DY;
            if (iy < 0 || iy >= H) continue;
            __global const float* row = xg + (r * H + iy) * W;
            float xr[SPAN];
#pragma unroll
            for (int s = 0; s < SPAN; ++s) {
                const int ix = ix0 + s;
                xr[s] = (ix >= 0 && ix < W) ? row[ix] : 0.0f;
            }
#pragma unroll
            for (int kx = 0; kx < KW; ++kx) {
                float wv[TM];
#pragma unroll
                for (int i = 0; i < TM; ++i) wv[i] = (OCG % TM == 0 || o0 + i < OCG) ? WEIGHT(g, o0 + i, r, ky, kx) : 0.0f;
#pragma unroll
                for (int i = 0; i < TM; ++i)
#pragma unroll
                    for (int j = 0; j < TN; ++j) acc[i][j] = fma(wv[i], xr[j * SX + kx * DX], acc[i][j]);
            }
        }
    }
    __global float* out = y + yo + ((n * OC + g * OCG + o0) * OH + oy) * OW + ox0;
    for (int i = 0; i < TM; ++i) {
        if (OCG % TM != 0 && o0 + i >= OCG) break;
        const float b = HAS_BIAS ? bias[bo + g * OCG + o0 + i] : 0.0f;
        for (int j = 0; j < TN; ++j) {
            if (OW % TN != 0 && ox0 + j >= OW) break;
            float v = activate(acc[i][j] + b);
#if DELIBERATELY_WRONG
            if (t == 0 && i == 0 && j == 0) v += 1.0f;
#endif
            out[i * OH * OW + j] = v;
        }
    }
}
