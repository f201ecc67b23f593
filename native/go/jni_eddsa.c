//go:build zkmjni

// JNI glue for io.zkmargin.nativebridge.NativeLib.eddsaVerify over zkm_eddsa_verify (eddsa_exports.go).
// The 192-byte input is copied onto the stack (no malloc on this hot path); errors are thrown as
// NativeException(code, message) by jni_util.h's helpers.
#include <jni.h>
#include <stdlib.h>
#include "_cgo_export.h"
#include "jni_util.h"

#define ZKM_EDDSA_INPUT 192

JNIEXPORT jboolean JNICALL Java_io_zkmargin_nativebridge_NativeLib_eddsaVerify(JNIEnv *env, jclass cls, jbyteArray in) {
    if (in == NULL) { throwArg(env, "EdDSA input is null"); return JNI_FALSE; }
    if ((*env)->GetArrayLength(env, in) != ZKM_EDDSA_INPUT) {
        throwArg(env, "EdDSA input must have exactly 192 bytes");
        return JNI_FALSE;
    }
    unsigned char buf[ZKM_EDDSA_INPUT];
    (*env)->GetByteArrayRegion(env, in, 0, ZKM_EDDSA_INPUT, (jbyte *)buf);
    char *err = NULL;
    int rc = zkm_eddsa_verify(buf, ZKM_EDDSA_INPUT, &err);
    if (rc == 0) return JNI_TRUE;
    if (rc == 4) { free(err); return JNI_FALSE; } // well formed, not valid: a verdict, not an error
    throwNative(env, rc, err);
    return JNI_FALSE;
}
