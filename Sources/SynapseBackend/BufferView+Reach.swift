extension BufferView {
    /// The lowest and highest element index (counted from the buffer's start) that the view can
    /// address, or nil for a view with no elements.
    package var elementReach: ClosedRange<Int>? {
        guard count > 0 else { return nil }
        var low = offset, high = offset
        for (extent, stride) in zip(shape, strides) {
            let reach = (extent - 1) * stride
            if reach < 0 { low += reach } else { high += reach }
        }
        return low...high
    }

    /// Elements of `dtype` that fit in the view's buffer.
    package var bufferCapacity: Int { buffer.byteCount / dtype.byteSize }
}
