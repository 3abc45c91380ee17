// JPEG through libjpeg-turbo with an error manager of our own: libjpeg's default error_exit prints
// and calls exit(); ours formats the message and longjmps back, and warnings (corrupt data that
// libjpeg would paper over with gray) are counted and turned into errors.
#include "synapse_image.h"
#include <stdio.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
} jpeg_errors;

static void on_error_exit(j_common_ptr info) {
    jpeg_errors *errors = (jpeg_errors *)info->err;
    char text[JMSG_LENGTH_MAX];
    errors->base.format_message(info, text);
    snprintf(errors->message, SYNAPSE_IMAGE_MESSAGE_SIZE, "JPEG: %s", text);
    longjmp(errors->jump, 1);
}

static void on_message(j_common_ptr info, int level) {
    jpeg_errors *errors = (jpeg_errors *)info->err;
    if (level < 0) {  // a warning: keep the first one's text
        if (errors->base.num_warnings == 0) {
            char text[JMSG_LENGTH_MAX];
            errors->base.format_message(info, text);
            snprintf(errors->message, SYNAPSE_IMAGE_MESSAGE_SIZE, "JPEG: %s", text);
        }
        errors->base.num_warnings++;
    }
}

static void on_output(j_common_ptr info) { (void)info; }

/// Routes libjpeg's errors and warnings to `errors` (the caller sets its jump point) and returns the
/// error manager to install.
static struct jpeg_error_mgr *install_errors(jpeg_errors *errors, char *message) {
    struct jpeg_error_mgr *manager = jpeg_std_error(&errors->base);
    errors->base.error_exit = on_error_exit;
    errors->base.emit_message = on_message;
    errors->base.output_message = on_output;
    errors->message = message;
    return manager;
}

int synapse_jpeg_decode(const unsigned char *data, size_t size, size_t max_pixels, synapse_image *out, char *message) {
    memset(out, 0, sizeof *out);
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8) {
        snprintf(message, SYNAPSE_IMAGE_MESSAGE_SIZE, "not a JPEG file (bad signature)");
        return 1;
    }
    struct jpeg_decompress_struct info;
    jpeg_errors errors;
    info.err = install_errors(&errors, message);
    unsigned char *volatile pixels = NULL;
    if (setjmp(errors.jump)) {
        free(pixels);
        jpeg_destroy_decompress(&info);
        return 1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);
    info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    if ((size_t)info.image_width * info.image_height > max_pixels) {
        snprintf(message, SYNAPSE_IMAGE_MESSAGE_SIZE, "JPEG: image too large (%ux%u)", info.image_width, info.image_height);
        jpeg_destroy_decompress(&info);
        return 1;
    }
    jpeg_start_decompress(&info);
    int channels = info.output_components;
    size_t rowBytes = (size_t)info.output_width * channels;
    if (channels != 1 && channels != 3) {
        snprintf(message, SYNAPSE_IMAGE_MESSAGE_SIZE, "JPEG: unsupported %d-channel output", channels);
        jpeg_destroy_decompress(&info);
        return 1;
    }
    pixels = malloc(rowBytes * info.output_height + 1);
    if (!pixels) {
        snprintf(message, SYNAPSE_IMAGE_MESSAGE_SIZE, "JPEG: out of memory");
        jpeg_destroy_decompress(&info);
        return 1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + (size_t)info.output_scanline * rowBytes;
        if (jpeg_read_scanlines(&info, &row, 1) != 1) break;
    }
    if (errors.base.num_warnings == 0 && info.output_scanline == info.output_height) jpeg_finish_decompress(&info);
    int failed = errors.base.num_warnings > 0 || info.output_scanline != info.output_height;
    if (failed && errors.base.num_warnings == 0) snprintf(message, SYNAPSE_IMAGE_MESSAGE_SIZE, "JPEG: file ends early");
    out->width = (int)info.output_width;
    out->height = (int)info.output_height;
    out->channels = channels;
    jpeg_destroy_decompress(&info);
    if (failed) {
        free(pixels);
        memset(out, 0, sizeof *out);
        return 1;
    }
    out->pixels = pixels;
    return 0;
}

int synapse_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality,
                        unsigned char **out, size_t *out_size, char *message) {
    *out = NULL;
    *out_size = 0;
    if (width <= 0 || height <= 0 || (channels != 1 && channels != 3)) {
        snprintf(message, SYNAPSE_IMAGE_MESSAGE_SIZE, "JPEG: cannot encode %dx%d with %d channels", width, height, channels);
        return 1;
    }
    struct jpeg_compress_struct info;
    jpeg_errors errors;
    info.err = install_errors(&errors, message);
    unsigned char *volatile buffer = NULL;
    unsigned long length = 0;
    if (setjmp(errors.jump)) {
        jpeg_destroy_compress(&info);
        free(buffer);
        return 1;
    }
    jpeg_create_compress(&info);
    unsigned char *target = NULL;
    jpeg_mem_dest(&info, &target, &length);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = channels;
    info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * width * channels);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    buffer = target;
    jpeg_destroy_compress(&info);
    *out = buffer;
    *out_size = length;
    return 0;
}
