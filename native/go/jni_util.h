// Helpers shared by the JNI glue files (jni_glue.c, jni_ceremony.c): byte[] copies in and out of malloc'ed
// buffers and NativeException throwing. Defined once in jni_glue.c; hidden, so they stay inside libzkmargin.so.
#ifndef ZKM_JNI_UTIL_H
#define ZKM_JNI_UTIL_H
#include <jni.h>

#define ZKM_HIDDEN __attribute__((visibility("hidden")))

// Throws NativeException(code, msg) and frees msg (malloc'ed by Go).
ZKM_HIDDEN void throwNative(JNIEnv *env, int code, char *msg);
// Throws NativeException(INVALID_ARGUMENT, what); what is copied.
ZKM_HIDDEN void throwArg(JNIEnv *env, const char *what);
// Copies a Java byte[] into a malloc'ed buffer (NULL with an exception pending on failure).
ZKM_HIDDEN unsigned char *copyIn(JNIEnv *env, jbyteArray arr, long long *len);
// Creates a byte[] from a malloc'ed buffer and frees the buffer.
ZKM_HIDDEN jbyteArray copyOut(JNIEnv *env, unsigned char *buf, long long len);

#endif
