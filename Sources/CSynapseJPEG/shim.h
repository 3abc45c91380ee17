// libjpeg-turbo (Debian: libjpeg62-turbo-dev), for decoding and encoding JPEG images.
#include <stddef.h>
#include <stdio.h>
#include <jpeglib.h>
