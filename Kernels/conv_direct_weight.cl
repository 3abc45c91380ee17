// Direct 2-D convolution, weight gradient (the forward and input-gradient kernel is conv_direct.cl,
// whose header explains the defines; each file builds on its own so a candidate compiles one kernel).
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

// Weight gradient: gw[o, r, ky, kx] = sum over images and output pixels of dy[n, o, oy, ox] *
// x[n, r, oy*SY - PY + ky*DY, ox*SX - PX + kx*DX] (channels within group g).
// dim 0: (group, block of TM output channels, r, ky), each item all KW taps; dim 1: SPLIT image
// slices, slice s writing its partial sum at gw + s * OC * CG * KSIZE.
__kernel void conv_direct_weight_f32(__global float* gw, int gwo, __global const float* x, int xo,
                                     __global const float* dy, int dyo, int N) {
    const int blocksPerGroup = (OCG + TM - 1) / TM;
    int t = get_global_id(0);
    if (t >= G * blocksPerGroup * CG * KH) return;
    const int ky = t % KH;
    t /= KH;
    const int r = t % CG;
    t /= CG;
    const int o0 = (t % blocksPerGroup) * TM, g = t / blocksPerGroup;
    const int slice = get_global_id(1);
    const int perSlice = (N + SPLIT - 1) / SPLIT;
    const int n0 = slice * perSlice, n1 = min(N, n0 + perSlice);

    float acc[TM][KW];
    for (int i = 0; i < TM; ++i)
        for (int k = 0; k < KW; ++k) acc[i][k] = 0.0f;
    for (int n = n0; n < n1; ++n) {
        __global const float* xc = x + xo + ((n * C + g * CG + r) * H) * W;
        __global const float* dyn = dy + dyo + (n * OC + g * OCG + o0) * OH * OW;
        for (int oy = 0; oy < OH; ++oy) {
            const int iy = oy * SY - PY + ky * DY;
            if (iy < 0 || iy >= H) continue;
            __global const float* xrow = xc + iy * W;
            for (int ox0 = 0; ox0 < OW; ox0 += TN) {
                const int ix0 = ox0 * SX - PX;
                float xv[SPAN];
#pragma unroll
                for (int s = 0; s < SPAN; ++s) {
                    const int ix = ix0 + s;
                    xv[s] = (ix >= 0 && ix < W) ? xrow[ix] : 0.0f;
                }
#pragma unroll
                for (int i = 0; i < TM; ++i) {
                    const bool channelInRange = OCG % TM == 0 || o0 + i < OCG;
                    float gv[TN];
#pragma unroll
                    for (int j = 0; j < TN; ++j) {
                        const bool columnInRange = OW % TN == 0 || ox0 + j < OW;
                        gv[j] = channelInRange && columnInRange ? dyn[(i * OH + oy) * OW + ox0 + j] : 0.0f;
                    }
#pragma unroll
                    for (int k = 0; k < KW; ++k)
#pragma unroll
                        for (int j = 0; j < TN; ++j) acc[i][k] = fma(gv[j], xv[j * SX + k * DX], acc[i][k]);
                }
            }
        }
    }
    __global float* out = gw + gwo + slice * OC * CG * KSIZE + ((g * OCG + o0) * CG + r) * KSIZE + ky * KW;
    for (int i = 0; i < TM; ++i) {
        if (OCG % TM != 0 && o0 + i >= OCG) break;
        for (int k = 0; k < KW; ++k) {
            float v = acc[i][k];
#if DELIBERATELY_WRONG
            if (get_global_id(0) == 0 && slice == 0 && i == 0 && k == 0) v += 1.0f;
#endif
            out[i * CG * KSIZE + k] = v;
        }
    }
}
