//go:build zkmjni

// JNI glue for io.zkmargin.nativebridge.NativeLib over the zkm_* C ABI exported by main.go.
// Byte arrays are copied in and out (no pinned Java memory during a Go call, so a long proof never
// blocks the garbage collector); every error comes back from Go as a code and a message and is thrown
// as io.zkmargin.nativebridge.NativeException(int code, String message).
#include <jni.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "_cgo_export.h"
#include "jni_util.h"

// ---- signals -----------------------------------------------------------------------------------
// Go requires every signal handler in the process to be installed with SA_ONSTACK: Go code runs on
// small goroutine stacks and Go's own handler throws "non-Go code set up signal handler without
// SA_ONSTACK flag" when it is entered (e.g. chained from the JVM's handler through libjsig) on a stack
// that is not the signal stack. HotSpot installs its handlers without SA_ONSTACK, and with libjsig
// preloaded Go cannot see (and so cannot fix) them. So, once the Go runtime is up, add SA_ONSTACK to
// every installed handler, through the raw rt_sigaction system call: libjsig interposes sigaction()
// and would store the change as a chained handler instead of applying it. Handler, mask and the other
// flags stay exactly as they are. On a thread without an alternate signal stack SA_ONSTACK has no
// effect; Go gives every thread that runs Go code one. See native/README.md.

struct kernel_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

#ifndef SA_ONSTACK
#define SA_ONSTACK 0x08000000
#endif
#define ZKM_NSIG 65

static int kernelSigaction(int sig, const struct kernel_sigaction *act, struct kernel_sigaction *old) {
    return (int)syscall(SYS_rt_sigaction, sig, act, old, sizeof(uint64_t));
}

// Adds SA_ONSTACK to every installed handler; returns how many handlers were changed.
static int addOnStackToAllHandlers(void) {
    int changed = 0;
    for (int sig = 1; sig < ZKM_NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        struct kernel_sigaction cur;
        if (kernelSigaction(sig, NULL, &cur) != 0) continue;
        if (cur.handler == (void *)SIG_DFL || cur.handler == (void *)SIG_IGN) continue;
        if (cur.flags & SA_ONSTACK) continue;
        cur.flags |= SA_ONSTACK;
        if (kernelSigaction(sig, &cur, NULL) == 0) changed++;
    }
    return changed;
}

// Bit (sig-1) set for every signal whose installed handler lacks SA_ONSTACK.
static uint64_t handlersWithoutOnStack(void) {
    uint64_t bits = 0;
    for (int sig = 1; sig < ZKM_NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        struct kernel_sigaction cur;
        if (kernelSigaction(sig, NULL, &cur) != 0) continue;
        if (cur.handler == (void *)SIG_DFL || cur.handler == (void *)SIG_IGN) continue;
        if (!(cur.flags & SA_ONSTACK)) bits |= 1ULL << (sig - 1);
    }
    return bits;
}

static int g_onStackFixed;

static jclass g_exClass;     // io.zkmargin.nativebridge.NativeException
static jmethodID g_exCtor;   // (ILjava/lang/String;)V
static jclass g_byteArray;   // [B

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
    jclass ex = (*env)->FindClass(env, "io/zkmargin/nativebridge/NativeException");
    if (ex == NULL) return JNI_ERR;
    g_exClass = (jclass)(*env)->NewGlobalRef(env, ex);
    g_exCtor = (*env)->GetMethodID(env, ex, "<init>", "(ILjava/lang/String;)V");
    if (g_exCtor == NULL) return JNI_ERR;
    jclass ba = (*env)->FindClass(env, "[B");
    if (ba == NULL) return JNI_ERR;
    g_byteArray = (jclass)(*env)->NewGlobalRef(env, ba);
    // Any call into Go waits until the Go runtime has finished initializing (which installs Go's
    // signal handlers); only then fix the flags of everybody's handlers.
    (void)zkm_live_handles();
    g_onStackFixed = addOnStackToAllHandlers();
    return JNI_VERSION_1_8;
}

// Throws NativeException(code, msg) and frees msg (malloc'ed by Go).
void throwNative(JNIEnv *env, int code, char *msg) {
    jstring jmsg = (*env)->NewStringUTF(env, msg != NULL ? msg : "native error without message");
    free(msg);
    if (jmsg == NULL) return; // OutOfMemoryError pending
    jobject ex = (*env)->NewObject(env, g_exClass, g_exCtor, (jint)code, jmsg);
    if (ex != NULL) (*env)->Throw(env, (jthrowable)ex);
}

void throwArg(JNIEnv *env, const char *what) {
    size_t n = strlen(what) + 1;
    char *m = malloc(n);
    if (m != NULL) memcpy(m, what, n);
    throwNative(env, 1, m);
}

// Copies a Java byte[] into a malloc'ed buffer (NULL with an exception pending on failure).
unsigned char *copyIn(JNIEnv *env, jbyteArray arr, long long *len) {
    if (arr == NULL) { throwArg(env, "byte array is null"); return NULL; }
    jsize n = (*env)->GetArrayLength(env, arr);
    unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf == NULL) { throwArg(env, "out of native memory"); return NULL; }
    (*env)->GetByteArrayRegion(env, arr, 0, n, (jbyte *)buf);
    *len = n;
    return buf;
}

// Creates a byte[] from a malloc'ed buffer and frees the buffer.
jbyteArray copyOut(JNIEnv *env, unsigned char *buf, long long len) {
    jbyteArray arr = NULL;
    if (len <= 0x7fffffffLL) {
        arr = (*env)->NewByteArray(env, (jsize)len);
        if (arr != NULL) (*env)->SetByteArrayRegion(env, arr, 0, (jsize)len, (const jbyte *)buf);
    } else {
        throwArg(env, "native result larger than 2 GiB");
    }
    free(buf);
    return arr;
}

static const char *utf(JNIEnv *env, jstring s) {
    if (s == NULL) { throwArg(env, "string is null"); return NULL; }
    return (*env)->GetStringUTFChars(env, s, NULL);
}

JNIEXPORT jlongArray JNICALL Java_io_zkmargin_nativebridge_NativeLib_compile(JNIEnv *env, jclass cls, jstring id) {
    const char *cid = utf(env, id);
    if (cid == NULL) return NULL;
    long long info[3];
    char *err = NULL;
    int rc = zkm_compile((char *)cid, info, &err);
    (*env)->ReleaseStringUTFChars(env, id, cid);
    if (rc != 0) { throwNative(env, rc, err); return NULL; }
    jlongArray out = (*env)->NewLongArray(env, 3);
    if (out != NULL) (*env)->SetLongArrayRegion(env, out, 0, 3, (const jlong *)info);
    return out;
}

JNIEXPORT jbyteArray JNICALL Java_io_zkmargin_nativebridge_NativeLib_circuitDigest(JNIEnv *env, jclass cls, jstring id) {
    const char *cid = utf(env, id);
    if (cid == NULL) return NULL;
    unsigned char d[32];
    char *err = NULL;
    int rc = zkm_circuit_digest((char *)cid, d, &err);
    (*env)->ReleaseStringUTFChars(env, id, cid);
    if (rc != 0) { throwNative(env, rc, err); return NULL; }
    jbyteArray out = (*env)->NewByteArray(env, 32);
    if (out != NULL) (*env)->SetByteArrayRegion(env, out, 0, 32, (const jbyte *)d);
    return out;
}

JNIEXPORT jobjectArray JNICALL Java_io_zkmargin_nativebridge_NativeLib_setup(JNIEnv *env, jclass cls, jstring id) {
    const char *cid = utf(env, id);
    if (cid == NULL) return NULL;
    unsigned char *pk = NULL, *vk = NULL;
    long long pkLen = 0, vkLen = 0;
    char *err = NULL;
    int rc = zkm_setup((char *)cid, &pk, &pkLen, &vk, &vkLen, &err);
    (*env)->ReleaseStringUTFChars(env, id, cid);
    if (rc != 0) { throwNative(env, rc, err); return NULL; }
    jobjectArray out = (*env)->NewObjectArray(env, 2, g_byteArray, NULL);
    if (out == NULL) { free(pk); free(vk); return NULL; }
    jbyteArray jpk = copyOut(env, pk, pkLen);
    if (jpk == NULL) { free(vk); return NULL; }
    (*env)->SetObjectArrayElement(env, out, 0, jpk);
    jbyteArray jvk = copyOut(env, vk, vkLen);
    if (jvk == NULL) return NULL;
    (*env)->SetObjectArrayElement(env, out, 1, jvk);
    return out;
}

static jlong loadKey(JNIEnv *env, jstring id, jbyteArray key, int proving) {
    const char *cid = utf(env, id);
    if (cid == NULL) return 0;
    long long n = 0;
    unsigned char *buf = copyIn(env, key, &n);
    if (buf == NULL) { (*env)->ReleaseStringUTFChars(env, id, cid); return 0; }
    unsigned long long h = 0;
    char *err = NULL;
    int rc = proving ? zkm_load_proving_key((char *)cid, buf, n, &h, &err)
                     : zkm_load_verifying_key((char *)cid, buf, n, &h, &err);
    free(buf);
    (*env)->ReleaseStringUTFChars(env, id, cid);
    if (rc != 0) { throwNative(env, rc, err); return 0; }
    return (jlong)h;
}

JNIEXPORT jlong JNICALL Java_io_zkmargin_nativebridge_NativeLib_loadProvingKey(JNIEnv *env, jclass cls, jstring id, jbyteArray pk) {
    return loadKey(env, id, pk, 1);
}

JNIEXPORT jlong JNICALL Java_io_zkmargin_nativebridge_NativeLib_loadVerifyingKey(JNIEnv *env, jclass cls, jstring id, jbyteArray vk) {
    return loadKey(env, id, vk, 0);
}

JNIEXPORT void JNICALL Java_io_zkmargin_nativebridge_NativeLib_release(JNIEnv *env, jclass cls, jlong handle) {
    char *err = NULL;
    int rc = zkm_release((unsigned long long)handle, &err);
    if (rc != 0) throwNative(env, rc, err);
}

JNIEXPORT jlong JNICALL Java_io_zkmargin_nativebridge_NativeLib_liveHandles(JNIEnv *env, jclass cls) {
    return (jlong)zkm_live_handles();
}

JNIEXPORT jobjectArray JNICALL Java_io_zkmargin_nativebridge_NativeLib_prove(JNIEnv *env, jclass cls, jlong handle, jbyteArray witness) {
    long long n = 0;
    unsigned char *buf = copyIn(env, witness, &n);
    if (buf == NULL) return NULL;
    unsigned char *proof = NULL;
    long long proofLen = 0;
    char *publics = NULL, *err = NULL;
    int rc = zkm_prove((unsigned long long)handle, buf, n, &proof, &proofLen, &publics, &err);
    free(buf);
    if (rc != 0) { throwNative(env, rc, err); return NULL; }
    jobjectArray out = (*env)->NewObjectArray(env, 2, g_byteArray, NULL);
    if (out == NULL) { free(proof); free(publics); return NULL; }
    jbyteArray jp = copyOut(env, proof, proofLen);
    if (jp == NULL) { free(publics); return NULL; }
    (*env)->SetObjectArrayElement(env, out, 0, jp);
    jbyteArray jpub = copyOut(env, (unsigned char *)publics, (long long)strlen(publics));
    if (jpub == NULL) return NULL;
    (*env)->SetObjectArrayElement(env, out, 1, jpub);
    return out;
}

JNIEXPORT jint JNICALL Java_io_zkmargin_nativebridge_NativeLib_verify(JNIEnv *env, jclass cls, jlong handle, jbyteArray proof, jstring publics) {
    long long n = 0;
    unsigned char *buf = copyIn(env, proof, &n);
    if (buf == NULL) return -1;
    const char *pub = utf(env, publics);
    if (pub == NULL) { free(buf); return -1; }
    char *err = NULL;
    int rc = zkm_verify((unsigned long long)handle, buf, n, (char *)pub, &err);
    free(buf);
    (*env)->ReleaseStringUTFChars(env, publics, pub);
    if (rc == 4) { free(err); return 4; } // well formed, does not verify: not exceptional
    if (rc != 0) { throwNative(env, rc, err); return -1; }
    return 0;
}

JNIEXPORT jstring JNICALL Java_io_zkmargin_nativebridge_NativeLib_exportSolidity(JNIEnv *env, jclass cls, jlong handle) {
    char *src = NULL, *err = NULL;
    int rc = zkm_export_solidity((unsigned long long)handle, &src, &err);
    if (rc != 0) { throwNative(env, rc, err); return NULL; }
    jstring out = (*env)->NewStringUTF(env, src);
    free(src);
    return out;
}

JNIEXPORT void JNICALL Java_io_zkmargin_nativebridge_NativeLib_selfTestPanic(JNIEnv *env, jclass cls, jint kind) {
    char *err = NULL;
    int rc = zkm_self_test_panic((int)kind, &err);
    if (rc != 0) throwNative(env, rc, err);
}

JNIEXPORT jlong JNICALL Java_io_zkmargin_nativebridge_NativeLib_signalHandlersWithoutOnStack(JNIEnv *env, jclass cls) {
    return (jlong)handlersWithoutOnStack();
}

JNIEXPORT jint JNICALL Java_io_zkmargin_nativebridge_NativeLib_signalHandlersFixedAtLoad(JNIEnv *env, jclass cls) {
    return (jint)g_onStackFixed;
}

JNIEXPORT jint JNICALL Java_io_zkmargin_nativebridge_NativeLib_fixSignalHandlers(JNIEnv *env, jclass cls) {
    return (jint)addOnStackToAllHandlers();
}
