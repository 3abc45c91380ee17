// PNG through libpng with setjmp/longjmp error handling: libpng's errors jump back here and become
// a status and a message instead of aborting the process.
#include "synapse_image.h"
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *data;
    size_t size;
    size_t offset;
    char *message;
} png_reader;

static void on_error(png_structp png, png_const_charp text) {
    png_reader *reader = (png_reader *)png_get_error_ptr(png);
    if (reader && reader->message) snprintf(reader->message, SYNAPSE_IMAGE_MESSAGE_SIZE, "PNG: %s", text);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

static void read_bytes(png_structp png, png_bytep into, png_size_t length) {
    png_reader *reader = (png_reader *)png_get_io_ptr(png);
    if (length > reader->size - reader->offset) png_error(png, "file ends early");
    memcpy(into, reader->data + reader->offset, length);
    reader->offset += length;
}

int synapse_png_decode(const unsigned char *data, size_t size, size_t max_pixels, synapse_image *out, char *message) {
    memset(out, 0, sizeof *out);
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(message, SYNAPSE_IMAGE_MESSAGE_SIZE, "not a PNG file (bad signature)");
        return 1;
    }
    png_reader reader = {data, size, 0, message};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, on_error, on_warning);
    if (!png) { snprintf(message, SYNAPSE_IMAGE_MESSAGE_SIZE, "PNG: out of memory"); return 1; }
    png_infop info = png_create_info_struct(png);
    // Written after setjmp, read after a longjmp: volatile so the jump does not lose them.
    unsigned char *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (!info || setjmp(png_jmpbuf(png))) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, info ? &info : NULL, NULL);
        if (!info) snprintf(message, SYNAPSE_IMAGE_MESSAGE_SIZE, "PNG: out of memory");
        return 1;
    }
    png_set_read_fn(png, &reader, read_bytes);
    png_set_user_limits(png, 1 << 16, 1 << 16);
    png_set_chunk_malloc_max(png, 64 << 20);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    if ((size_t)width * height > max_pixels) png_error(png, "image too large");
    int color = png_get_color_type(png, info);
    png_set_expand(png);  // palette to RGB, gray below 8 bits to 8, transparency to alpha
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int channels = png_get_channels(png, info);
    if (channels != 1 && channels != 3) png_error(png, "unsupported channel layout");
    (void)color;
    size_t rowBytes = png_get_rowbytes(png, info);
    if (rowBytes != (size_t)width * channels) png_error(png, "unexpected row size");
    pixels = malloc(rowBytes * height + 1);
    rows = malloc(sizeof(png_bytep) * height + 1);
    if (!pixels || !rows) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + y * rowBytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    out->pixels = pixels;
    out->width = (int)width;
    out->height = (int)height;
    out->channels = channels;
    return 0;
}

typedef struct {
    unsigned char *bytes;
    size_t size;
    size_t capacity;
    char *message;
} png_writer;

static void write_bytes(png_structp png, png_bytep from, png_size_t length) {
    png_writer *writer = (png_writer *)png_get_io_ptr(png);
    if (writer->size + length > writer->capacity) {
        size_t capacity = (writer->capacity + length) * 2;
        unsigned char *grown = realloc(writer->bytes, capacity);
        if (!grown) png_error(png, "out of memory");
        writer->bytes = grown;
        writer->capacity = capacity;
    }
    memcpy(writer->bytes + writer->size, from, length);
    writer->size += length;
}

static void flush_bytes(png_structp png) { (void)png; }

int synapse_png_encode(const unsigned char *pixels, int width, int height, int channels,
                       unsigned char **out, size_t *out_size, char *message) {
    *out = NULL;
    *out_size = 0;
    if (width <= 0 || height <= 0 || (channels != 1 && channels != 3)) {
        snprintf(message, SYNAPSE_IMAGE_MESSAGE_SIZE, "PNG: cannot encode %dx%d with %d channels", width, height, channels);
        return 1;
    }
    png_writer writer = {NULL, 0, 0, message};
    png_reader errors = {NULL, 0, 0, message};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &errors, on_error, on_warning);
    if (!png) { snprintf(message, SYNAPSE_IMAGE_MESSAGE_SIZE, "PNG: out of memory"); return 1; }
    png_infop info = png_create_info_struct(png);
    if (!info || setjmp(png_jmpbuf(png))) {
        free(writer.bytes);
        png_destroy_write_struct(&png, info ? &info : NULL);
        return 1;
    }
    png_set_write_fn(png, &writer, write_bytes, flush_bytes);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
                 channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(pixels + (size_t)y * width * channels));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *out = writer.bytes;
    *out_size = writer.size;
    return 0;
}

void synapse_image_free(synapse_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}

void synapse_buffer_free(unsigned char *buffer) { free(buffer); }
