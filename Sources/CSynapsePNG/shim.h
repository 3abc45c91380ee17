// libpng (Debian: libpng-dev), for decoding and encoding PNG images.
#include <png.h>
