// C = A·B + beta·C for row-major matrices, batched: our own SGEMM, a candidate beside CLBlast.
//
// op(A) is M×K and op(B) K×N; TRANS_A / TRANS_B say A or B is stored transposed (A as K×M, B as
// N×K). Each work item computes TM rows × TN columns; its columns are strided by the launch's
// width (get_global_size(0)) so neighbouring work items touch neighbouring columns: loads of B and
// stores of C are contiguous across a work-group, which GPUs coalesce and CPU drivers vectorise.
// Rows come from dimension 1 and the batch entry from dimension 2; element strides between batch
// entries may be 0 (one matrix shared by all entries). The sizes M, N, K, TRANS_A, TRANS_B, TM and
// TN are build-time constants, one build per product shape (the k loop's trip count is known; a
// plain build compiles an example); leading dimensions, offsets and strides are arguments.
#ifndef TM
#define M 8
#define N 8
#define K 8
#define TM 2
#define TN 2
#define TRANS_A 0
#define TRANS_B 0
#endif
#ifndef DELIBERATELY_WRONG
#define DELIBERATELY_WRONG 0
#endif

#if TRANS_A
#define A_AT(i, k) a[(k) * lda + (i)]
#else
#define A_AT(i, k) a[(i) * lda + (k)]
#endif
#if TRANS_B
#define B_AT(k, j) b[(j) * ldb + (k)]
#else
#define B_AT(k, j) b[(k) * ldb + (j)]
#endif

__kernel void gemm_f32(__global float* c, int co, int ldc, int strideC,
                       __global const float* a, int ao, int lda, int strideA,
                       __global const float* b, int bo, int ldb, int strideB,
                       float beta) {
    const int entry = get_global_id(2);
    const int j0 = get_global_id(0), width = get_global_size(0);
    const int i0 = get_global_id(1) * TM;
    if (i0 >= M || j0 >= N) return;
    a += ao + entry * strideA;
    b += bo + entry * strideB;
    c += co + entry * strideC;

    float acc[TM][TN];
    for (int s = 0; s < TM; ++s)
        for (int t = 0; t < TN; ++t) acc[s][t] = 0.0f;
    for (int k = 0; k < K; ++k) {
        float av[TM], bv[TN];
#pragma unroll
        for (int s = 0; s < TM; ++s) av[s] = i0 + s < M ? A_AT(i0 + s, k) : 0.0f;
#pragma unroll
        for (int t = 0; t < TN; ++t) {
            const int j = j0 + t * width;
            bv[t] = j < N ? B_AT(k, j) : 0.0f;
        }
#pragma unroll
        for (int s = 0; s < TM; ++s)
#pragma unroll
            for (int t = 0; t < TN; ++t) acc[s][t] = fma(av[s], bv[t], acc[s][t]);
    }
    for (int s = 0; s < TM && i0 + s < M; ++s)
        for (int t = 0; t < TN; ++t) {
            const int j = j0 + t * width;
            if (j >= N) break;
            __global float* target = c + (i0 + s) * ldc + j;
            float v = beta == 0.0f ? acc[s][t] : acc[s][t] + beta * *target;
#if DELIBERATELY_WRONG
            if (entry == 0 && i0 == 0 && j0 == 0 && s == 0 && t == 0) v += 1.0f;
#endif
            *target = v;
        }
}
