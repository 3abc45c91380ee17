// PNG and JPEG decoding and encoding from memory through libpng and libjpeg-turbo, with error
// handlers of our own: both libraries by default print and exit() (libjpeg) or abort on a damaged
// file; here every failure returns a non-zero status and a message, so a hostile file is an error.
#ifndef SYNAPSE_IMAGE_H
#define SYNAPSE_IMAGE_H
#include <stddef.h>

/// A decoded image: `height * width * channels` bytes, rows top to bottom, channels interleaved
/// (gray, or R G B). Free `pixels` with `synapse_image_free`.
typedef struct {
    unsigned char *pixels;
    int width;
    int height;
    int channels;
} synapse_image;

/// Size of the message buffer the functions below fill on failure.
#define SYNAPSE_IMAGE_MESSAGE_SIZE 256

/// Decodes a PNG (any bit depth, palette, gray or RGB; alpha dropped, 16 bits cut to 8) to 1 or 3
/// channels. Refuses images of more than `max_pixels` pixels. Returns 0, or non-zero with `message` set.
int synapse_png_decode(const unsigned char *data, size_t size, size_t max_pixels, synapse_image *out, char *message);

/// Decodes a baseline or progressive JPEG to 1 (grayscale) or 3 (RGB) channels. Corrupt data that
/// libjpeg only warns about (a truncated file) is an error too. Returns 0, or non-zero with `message` set.
int synapse_jpeg_decode(const unsigned char *data, size_t size, size_t max_pixels, synapse_image *out, char *message);

/// Encodes 1- or 3-channel pixels as PNG into a malloc'd buffer (`*out`, `*out_size`; free with `free`).
int synapse_png_encode(const unsigned char *pixels, int width, int height, int channels,
                       unsigned char **out, size_t *out_size, char *message);

/// Encodes 1- or 3-channel pixels as a JPEG of `quality` (1…100) into a malloc'd buffer (free with `free`).
int synapse_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality,
                        unsigned char **out, size_t *out_size, char *message);

/// Frees a decoded image's pixels.
void synapse_image_free(synapse_image *image);

/// Frees a buffer the encoders returned.
void synapse_buffer_free(unsigned char *buffer);

#endif
