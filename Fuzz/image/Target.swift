// libFuzzer target: PNG and JPEG decoding through libpng and libjpeg-turbo with Synapse's error
// handlers, then the resize/crop transform on whatever decoded. Built by scripts/fuzz.sh from
// DecodedImage.swift, ImageTransform.swift and the C codecs (CSynapseImageCodecs).
//
// Any input must decode or throw; a trap, a crash or libjpeg's default exit() fails the run.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let image = try? DecodedImage.decode(bytes, file: "fuzz") else { return 0 }
    if image.width * image.height <= 1 << 20 {
        let seed = UInt64(size)
        _ = ImageTransform(shape: [1, 28, 28], augment: true).apply(image, seed: seed)
        _ = ImageTransform(shape: [3, 7, 5], augment: false).apply(image, seed: seed)
    }
    return 0
}
