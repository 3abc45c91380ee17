// OpenCL 1.2 API plus CLBlast's C interface (Debian: ocl-icd-opencl-dev opencl-headers libclblast-dev).
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>
#include <CL/cl_ext.h>
#include <clblast_c.h>
