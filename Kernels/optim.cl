// Fused optimizer steps, updating parameters and state in place with PyTorch's semantics.
// One work item per parameter element.

// torch.optim.SGD: d = g + wd*p; buf = first ? d : buf*momentum + (1-dampening)*d;
// d = nesterov ? d + momentum*buf : buf (when momentum != 0); p = p + (-lr)*d.
__kernel void sgd_f32(__global float* p, int po, __global float* buf, int bo, __global const float* g, int go,
                      int n, float lr, float momentum, float dampening, float weightDecay,
                      int nesterov, int firstStep) {
    int i = get_global_id(0);
    if (i >= n) return;
    float param = p[po + i];
    float d = g[go + i];
    if (weightDecay != 0.0f) d = d + weightDecay * param;
    if (momentum != 0.0f) {
        float b = firstStep ? d : buf[bo + i] * momentum + (1.0f - dampening) * d;
        buf[bo + i] = b;
        d = nesterov ? d + momentum * b : b;
    }
    p[po + i] = param + -lr * d;
}

// torch.optim.Adam / AdamW (amsgrad off): the host passes stepSize = lr / (1 - beta1^t),
// bc2Sqrt = sqrt(1 - beta2^t) and shrink = 1 - lr*wd, formed in double as Python does.
// The first moment follows ATen's two-sided lerp.
__kernel void adam_f32(__global float* p, int po, __global float* m, int mo, __global float* v, int vo,
                       __global const float* g, int go, int n, float lr, float beta1, float beta2,
                       float epsilon, float weightDecay, int decoupled, float stepSize, float bc2Sqrt,
                       float shrink) {
    int i = get_global_id(0);
    if (i >= n) return;
    float param = p[po + i];
    float grad = g[go + i];
    if (weightDecay != 0.0f) {
        if (decoupled) param = param * shrink;
        else grad = grad + weightDecay * param;
    }
    float weight = 1.0f - beta1, m0 = m[mo + i];
    float m1 = fabs(weight) < 0.5f ? m0 + weight * (grad - m0) : grad - (grad - m0) * (1.0f - weight);
    float v1 = v[vo + i] * beta2 + (1.0f - beta2) * grad * grad;
    m[mo + i] = m1;
    v[vo + i] = v1;
    float denom = sqrt(v1) / bc2Sqrt + epsilon;
    p[po + i] = param + -stepSize * m1 / denom;
}
