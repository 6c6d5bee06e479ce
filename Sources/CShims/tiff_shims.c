#include "CShims.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <stdarg.h>

static const TIFFFieldInfo rs_extra_fields[] = {
    /* tag, readcount, writecount, type, bit, okToChange, passCount, name */
    {33550, TIFF_VARIABLE2, TIFF_VARIABLE2, TIFF_DOUBLE, FIELD_CUSTOM, 1, 1, "ModelPixelScaleTag"},
    {33922, TIFF_VARIABLE2, TIFF_VARIABLE2, TIFF_DOUBLE, FIELD_CUSTOM, 1, 1, "ModelTiepointTag"},
    {34264, TIFF_VARIABLE2, TIFF_VARIABLE2, TIFF_DOUBLE, FIELD_CUSTOM, 1, 1, "ModelTransformationTag"},
    {34735, TIFF_VARIABLE2, TIFF_VARIABLE2, TIFF_SHORT, FIELD_CUSTOM, 1, 1, "GeoKeyDirectoryTag"},
    {34736, TIFF_VARIABLE2, TIFF_VARIABLE2, TIFF_DOUBLE, FIELD_CUSTOM, 1, 1, "GeoDoubleParamsTag"},
    {34737, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, "GeoASCIIParamsTag"},
    {42112, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, "GDALMetadata"},
    {42113, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, "GDALNoDataValue"},
};

static TIFFExtendProc rs_parent_extender = NULL;
static void rs_extender(TIFF *t) {
    TIFFMergeFieldInfo(t, rs_extra_fields, sizeof(rs_extra_fields) / sizeof(rs_extra_fields[0]));
    if (rs_parent_extender) rs_parent_extender(t);
}
static pthread_once_t rs_once = PTHREAD_ONCE_INIT;
static void rs_install(void) { rs_parent_extender = TIFFSetTagExtender(rs_extender); }
void rs_tiff_register_tags(void) { pthread_once(&rs_once, rs_install); }

static int rs_on_error(TIFF *t, void *user, const char *module, const char *fmt, va_list ap) {
    (void)t;
    rs_tiff_diag *d = (rs_tiff_diag *)user;
    if (!d) return 1;
    char msg[400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    snprintf(d->last_error, sizeof d->last_error, "%s%s%s", module ? module : "", module ? ": " : "", msg);
    if (d->error_count == 0) memcpy(d->first_error, d->last_error, sizeof d->first_error);
    d->error_count++;
    return 1; /* handled: do not print */
}
static int rs_on_warning(TIFF *t, void *user, const char *module, const char *fmt, va_list ap) {
    (void)t; (void)module; (void)fmt; (void)ap;
    rs_tiff_diag *d = (rs_tiff_diag *)user;
    if (d) d->warning_count++;
    return 1;
}

TIFF *rs_tiff_open(const char *path, const char *mode, rs_tiff_diag *diag, int64_t max_single_alloc) {
    rs_tiff_register_tags();
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (!opts) return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(opts, rs_on_error, diag);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, rs_on_warning, diag);
    if (max_single_alloc > 0) TIFFOpenOptionsSetMaxSingleMemAlloc(opts, (tmsize_t)max_single_alloc);
    TIFF *t = TIFFOpenExt(path, mode, opts);
    TIFFOpenOptionsFree(opts);
    return t;
}

static int rs_no_map(thandle_t h, tdata_t *base, toff_t *size) { (void)h; (void)base; (void)size; return 0; }
static void rs_no_unmap(thandle_t h, tdata_t base, toff_t size) { (void)h; (void)base; (void)size; }

TIFF *rs_tiff_client_open(const char *name, const char *mode, rs_tiff_diag *diag, void *handle,
                          TIFFReadWriteProc read_proc, TIFFReadWriteProc write_proc, TIFFSeekProc seek_proc,
                          TIFFCloseProc close_proc, TIFFSizeProc size_proc) {
    rs_tiff_register_tags();
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (!opts) return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(opts, rs_on_error, diag);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, rs_on_warning, diag);
    TIFF *t = TIFFClientOpenExt(name, mode, (thandle_t)handle, read_proc, write_proc, seek_proc, close_proc, size_proc,
                                rs_no_map, rs_no_unmap, opts);
    TIFFOpenOptionsFree(opts);
    return t;
}

int rs_tiff_get_u16(TIFF *t, uint32_t tag, uint16_t *out) { return TIFFGetField(t, tag, out); }
int rs_tiff_get_u32(TIFF *t, uint32_t tag, uint32_t *out) { return TIFFGetField(t, tag, out); }
int rs_tiff_get_u64(TIFF *t, uint32_t tag, uint64_t *out) { return TIFFGetField(t, tag, out); }
int rs_tiff_get_double(TIFF *t, uint32_t tag, double *out) { return TIFFGetField(t, tag, out); }
int rs_tiff_get_ascii(TIFF *t, uint32_t tag, const char **out) {
    char *v = NULL;
    if (!TIFFGetField(t, tag, &v) || !v) return 0;
    *out = v;
    return 1;
}
int rs_tiff_get_doubles(TIFF *t, uint32_t tag, uint32_t *count, const double **values) {
    uint32_t n = 0; double *v = NULL;
    if (!TIFFGetField(t, tag, &n, &v) || !v) return 0;
    *count = n; *values = v;
    return 1;
}
int rs_tiff_get_shorts(TIFF *t, uint32_t tag, uint32_t *count, const uint16_t **values) {
    uint32_t n = 0; uint16_t *v = NULL;
    if (!TIFFGetField(t, tag, &n, &v) || !v) return 0;
    *count = n; *values = v;
    return 1;
}
int rs_tiff_get_colormap(TIFF *t, const uint16_t **r, const uint16_t **g, const uint16_t **b) {
    uint16_t *rr = NULL, *gg = NULL, *bb = NULL;
    if (!TIFFGetField(t, TIFFTAG_COLORMAP, &rr, &gg, &bb) || !rr || !gg || !bb) return 0;
    *r = rr; *g = gg; *b = bb;
    return 1;
}
int rs_tiff_get_extrasamples(TIFF *t, uint16_t *count, const uint16_t **values) {
    uint16_t n = 0; uint16_t *v = NULL;
    if (!TIFFGetField(t, TIFFTAG_EXTRASAMPLES, &n, &v)) return 0;
    *count = n; *values = v;
    return 1;
}

/* Varargs promote small integers to int: pass uint16 values as int. */
int rs_tiff_set_u16(TIFF *t, uint32_t tag, uint16_t value) { return TIFFSetField(t, tag, (int)value); }
int rs_tiff_set_u32(TIFF *t, uint32_t tag, uint32_t value) { return TIFFSetField(t, tag, value); }
int rs_tiff_set_int(TIFF *t, uint32_t tag, int value) { return TIFFSetField(t, tag, value); }
int rs_tiff_set_double(TIFF *t, uint32_t tag, double value) { return TIFFSetField(t, tag, value); }
int rs_tiff_set_ascii(TIFF *t, uint32_t tag, const char *value) { return TIFFSetField(t, tag, value); }
int rs_tiff_set_doubles(TIFF *t, uint32_t tag, uint32_t count, const double *values) {
    return TIFFSetField(t, tag, count, values);
}
int rs_tiff_set_shorts(TIFF *t, uint32_t tag, uint32_t count, const uint16_t *values) {
    return TIFFSetField(t, tag, count, values);
}
int rs_tiff_set_colormap(TIFF *t, const uint16_t *r, const uint16_t *g, const uint16_t *b) {
    return TIFFSetField(t, TIFFTAG_COLORMAP, r, g, b);
}
int rs_tiff_set_extrasamples(TIFF *t, uint16_t count, const uint16_t *values) {
    return TIFFSetField(t, TIFFTAG_EXTRASAMPLES, (int)count, values);
}
int rs_tiff_codec_configured(uint16_t compression) { return TIFFIsCODECConfigured(compression); }
