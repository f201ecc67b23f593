//go:build zkmjni

// JNI glue for io.zkmargin.nativebridge.CeremonyLib over the zkm_ceremony_* C ABI exported by
// ceremony_exports.go. Same conventions as jni_glue.c (copies in and out, errors thrown as
// NativeException(code, message)), with its helpers (jni_util.h).
#include <jni.h>
#include <stdlib.h>
#include <string.h>
#include "_cgo_export.h"
#include "jni_util.h"

static jbyteArray cerOutStack(JNIEnv *env, const unsigned char *buf, jsize len) {
    jbyteArray arr = (*env)->NewByteArray(env, len);
    if (arr != NULL) (*env)->SetByteArrayRegion(env, arr, 0, len, (const jbyte *)buf);
    return arr;
}

// A chain of byte[] copied into malloc'ed buffers.
typedef struct {
    int count;
    unsigned char **files;
    long long *lens;
} chain_t;

static void chainFree(chain_t *c) {
    if (c->files != NULL) {
        for (int i = 0; i < c->count; i++) free(c->files[i]);
    }
    free(c->files);
    free(c->lens);
}

static int chainIn(JNIEnv *env, jobjectArray arr, chain_t *c) {
    memset(c, 0, sizeof(*c));
    if (arr == NULL) { throwArg(env, "chain is null"); return 0; }
    jsize n = (*env)->GetArrayLength(env, arr);
    if (n <= 0) { throwArg(env, "chain is empty"); return 0; }
    c->files = calloc((size_t)n, sizeof(unsigned char *));
    c->lens = calloc((size_t)n, sizeof(long long));
    if (c->files == NULL || c->lens == NULL) { chainFree(c); throwArg(env, "out of native memory"); return 0; }
    c->count = n;
    for (jsize i = 0; i < n; i++) {
        jbyteArray e = (jbyteArray)(*env)->GetObjectArrayElement(env, arr, i);
        c->files[i] = copyIn(env, e, &c->lens[i]);
        if (e != NULL) (*env)->DeleteLocalRef(env, e);
        if (c->files[i] == NULL) { chainFree(c); return 0; }
    }
    return 1;
}

// {contribution hash * count} as one byte[] of 32*count bytes.
static jbyteArray hashesOut(JNIEnv *env, const unsigned char *h, int count) {
    return cerOutStack(env, h, (jsize)(32 * count));
}

JNIEXPORT jint JNICALL Java_io_zkmargin_nativebridge_CeremonyLib_circuitPower(JNIEnv *env, jclass cls, jstring id) {
    if (id == NULL) { throwArg(env, "circuit id is null"); return -1; }
    const char *cid = (*env)->GetStringUTFChars(env, id, NULL);
    if (cid == NULL) return -1;
    int power = 0;
    char *err = NULL;
    int rc = zkm_ceremony_circuit_power((char *)cid, &power, &err);
    (*env)->ReleaseStringUTFChars(env, id, cid);
    if (rc != 0) { throwNative(env, rc, err); return -1; }
    return (jint)power;
}

JNIEXPORT jbyteArray JNICALL Java_io_zkmargin_nativebridge_CeremonyLib_phase1Init(JNIEnv *env, jclass cls, jint power) {
    unsigned char *out = NULL;
    long long outLen = 0;
    char *err = NULL;
    int rc = zkm_ceremony_p1_init((int)power, &out, &outLen, &err);
    if (rc != 0) { throwNative(env, rc, err); return NULL; }
    return copyOut(env, out, outLen);
}

// Returns {next state, received||produced hashes (64 bytes)}.
static jobjectArray contributeResult(JNIEnv *env, unsigned char *out, long long outLen, unsigned char *h64) {
    jclass ba = (*env)->FindClass(env, "[B");
    if (ba == NULL) { free(out); return NULL; }
    jobjectArray res = (*env)->NewObjectArray(env, 2, ba, NULL);
    if (res == NULL) { free(out); return NULL; }
    jbyteArray next = copyOut(env, out, outLen);
    if (next == NULL) return NULL;
    (*env)->SetObjectArrayElement(env, res, 0, next);
    jbyteArray hs = cerOutStack(env, h64, 64);
    if (hs == NULL) return NULL;
    (*env)->SetObjectArrayElement(env, res, 1, hs);
    return res;
}

JNIEXPORT jobjectArray JNICALL Java_io_zkmargin_nativebridge_CeremonyLib_phase1Contribute(JNIEnv *env, jclass cls, jint power, jbyteArray prev, jbyteArray entropy) {
    long long n = 0, en = 0;
    unsigned char *buf = copyIn(env, prev, &n);
    if (buf == NULL) return NULL;
    unsigned char *ent = NULL;
    if (entropy != NULL && (ent = copyIn(env, entropy, &en)) == NULL) { free(buf); return NULL; }
    unsigned char *out = NULL, h64[64];
    long long outLen = 0;
    char *err = NULL;
    int rc = zkm_ceremony_p1_contribute((int)power, buf, n, ent, en, &out, &outLen, h64, &err);
    free(buf);
    if (ent != NULL) { memset(ent, 0, (size_t)en); free(ent); }
    if (rc != 0) { throwNative(env, rc, err); return NULL; }
    return contributeResult(env, out, outLen, h64);
}

JNIEXPORT jbyteArray JNICALL Java_io_zkmargin_nativebridge_CeremonyLib_phase1Verify(JNIEnv *env, jclass cls, jint power, jobjectArray chain) {
    chain_t c;
    if (!chainIn(env, chain, &c)) return NULL;
    unsigned char *hs = malloc((size_t)32 * (size_t)c.count);
    if (hs == NULL) { chainFree(&c); throwArg(env, "out of native memory"); return NULL; }
    char *err = NULL;
    int rc = zkm_ceremony_p1_verify((int)power, c.files, c.lens, c.count, hs, &err);
    int count = c.count;
    chainFree(&c);
    if (rc != 0) { free(hs); throwNative(env, rc, err); return NULL; }
    jbyteArray out = hashesOut(env, hs, count);
    free(hs);
    return out;
}

// Returns {phase-1 final file, contribution hashes (32 each)}.
JNIEXPORT jobjectArray JNICALL Java_io_zkmargin_nativebridge_CeremonyLib_phase1Seal(JNIEnv *env, jclass cls, jint power, jobjectArray chain, jbyteArray beacon) {
    long long bl = 0;
    unsigned char *bc = copyIn(env, beacon, &bl);
    if (bc == NULL) return NULL;
    chain_t c;
    if (!chainIn(env, chain, &c)) { free(bc); return NULL; }
    unsigned char *hs = malloc((size_t)32 * (size_t)c.count);
    if (hs == NULL) { free(bc); chainFree(&c); throwArg(env, "out of native memory"); return NULL; }
    unsigned char *out = NULL;
    long long outLen = 0;
    char *err = NULL;
    int rc = zkm_ceremony_p1_seal((int)power, c.files, c.lens, c.count, bc, bl, &out, &outLen, hs, &err);
    int count = c.count;
    chainFree(&c);
    free(bc);
    if (rc != 0) { free(hs); throwNative(env, rc, err); return NULL; }
    jclass ba = (*env)->FindClass(env, "[B");
    jobjectArray res = ba != NULL ? (*env)->NewObjectArray(env, 2, ba, NULL) : NULL;
    if (res == NULL) { free(out); free(hs); return NULL; }
    jbyteArray commons = copyOut(env, out, outLen);
    if (commons == NULL) { free(hs); return NULL; }
    (*env)->SetObjectArrayElement(env, res, 0, commons);
    jbyteArray h = hashesOut(env, hs, count);
    free(hs);
    if (h == NULL) return NULL;
    (*env)->SetObjectArrayElement(env, res, 1, h);
    return res;
}

JNIEXPORT jbyteArray JNICALL Java_io_zkmargin_nativebridge_CeremonyLib_phase2Init(JNIEnv *env, jclass cls, jstring id, jbyteArray commons) {
    if (id == NULL) { throwArg(env, "circuit id is null"); return NULL; }
    long long n = 0;
    unsigned char *cm = copyIn(env, commons, &n);
    if (cm == NULL) return NULL;
    const char *cid = (*env)->GetStringUTFChars(env, id, NULL);
    if (cid == NULL) { free(cm); return NULL; }
    unsigned char *out = NULL;
    long long outLen = 0;
    char *err = NULL;
    int rc = zkm_ceremony_p2_init((char *)cid, cm, n, &out, &outLen, &err);
    (*env)->ReleaseStringUTFChars(env, id, cid);
    free(cm);
    if (rc != 0) { throwNative(env, rc, err); return NULL; }
    return copyOut(env, out, outLen);
}

JNIEXPORT jobjectArray JNICALL Java_io_zkmargin_nativebridge_CeremonyLib_phase2Contribute(JNIEnv *env, jclass cls, jstring id, jbyteArray prev, jbyteArray entropy) {
    if (id == NULL) { throwArg(env, "circuit id is null"); return NULL; }
    long long n = 0, en = 0;
    unsigned char *buf = copyIn(env, prev, &n);
    if (buf == NULL) return NULL;
    unsigned char *ent = NULL;
    if (entropy != NULL && (ent = copyIn(env, entropy, &en)) == NULL) { free(buf); return NULL; }
    const char *cid = (*env)->GetStringUTFChars(env, id, NULL);
    if (cid == NULL) { free(buf); if (ent != NULL) { memset(ent, 0, (size_t)en); free(ent); } return NULL; }
    unsigned char *out = NULL, h64[64];
    long long outLen = 0;
    char *err = NULL;
    int rc = zkm_ceremony_p2_contribute((char *)cid, buf, n, ent, en, &out, &outLen, h64, &err);
    (*env)->ReleaseStringUTFChars(env, id, cid);
    free(buf);
    if (ent != NULL) { memset(ent, 0, (size_t)en); free(ent); }
    if (rc != 0) { throwNative(env, rc, err); return NULL; }
    return contributeResult(env, out, outLen, h64);
}

JNIEXPORT jbyteArray JNICALL Java_io_zkmargin_nativebridge_CeremonyLib_phase2Verify(JNIEnv *env, jclass cls, jstring id, jbyteArray commons, jobjectArray chain) {
    if (id == NULL) { throwArg(env, "circuit id is null"); return NULL; }
    long long n = 0;
    unsigned char *cm = copyIn(env, commons, &n);
    if (cm == NULL) return NULL;
    chain_t c;
    if (!chainIn(env, chain, &c)) { free(cm); return NULL; }
    unsigned char *hs = malloc((size_t)32 * (size_t)c.count);
    const char *cid = (*env)->GetStringUTFChars(env, id, NULL);
    if (hs == NULL || cid == NULL) {
        free(hs); free(cm); chainFree(&c);
        if (cid != NULL) (*env)->ReleaseStringUTFChars(env, id, cid);
        if (!(*env)->ExceptionCheck(env)) throwArg(env, "out of native memory");
        return NULL;
    }
    char *err = NULL;
    int rc = zkm_ceremony_p2_verify((char *)cid, cm, n, c.files, c.lens, c.count, hs, &err);
    int count = c.count;
    (*env)->ReleaseStringUTFChars(env, id, cid);
    chainFree(&c);
    free(cm);
    if (rc != 0) { free(hs); throwNative(env, rc, err); return NULL; }
    jbyteArray out = hashesOut(env, hs, count);
    free(hs);
    return out;
}

// Returns {proving key, verifying key, transcript hash (32), contribution hashes (32 each)}.
JNIEXPORT jobjectArray JNICALL Java_io_zkmargin_nativebridge_CeremonyLib_phase2Finalize(JNIEnv *env, jclass cls, jstring id, jbyteArray commons, jobjectArray chain, jbyteArray beacon) {
    if (id == NULL) { throwArg(env, "circuit id is null"); return NULL; }
    long long n = 0, bl = 0;
    unsigned char *cm = copyIn(env, commons, &n);
    if (cm == NULL) return NULL;
    unsigned char *bc = copyIn(env, beacon, &bl);
    if (bc == NULL) { free(cm); return NULL; }
    chain_t c;
    if (!chainIn(env, chain, &c)) { free(cm); free(bc); return NULL; }
    unsigned char *hs = malloc((size_t)32 * (size_t)c.count);
    const char *cid = (*env)->GetStringUTFChars(env, id, NULL);
    if (hs == NULL || cid == NULL) {
        free(hs); free(cm); free(bc); chainFree(&c);
        if (cid != NULL) (*env)->ReleaseStringUTFChars(env, id, cid);
        if (!(*env)->ExceptionCheck(env)) throwArg(env, "out of native memory");
        return NULL;
    }
    unsigned char *pk = NULL, *vk = NULL, tr[32];
    long long pkLen = 0, vkLen = 0;
    char *err = NULL;
    int rc = zkm_ceremony_p2_finalize((char *)cid, cm, n, c.files, c.lens, c.count, bc, bl, &pk, &pkLen, &vk, &vkLen, tr, hs, &err);
    int count = c.count;
    (*env)->ReleaseStringUTFChars(env, id, cid);
    chainFree(&c);
    free(cm);
    free(bc);
    if (rc != 0) { free(hs); throwNative(env, rc, err); return NULL; }
    jclass ba = (*env)->FindClass(env, "[B");
    jobjectArray res = ba != NULL ? (*env)->NewObjectArray(env, 4, ba, NULL) : NULL;
    if (res == NULL) { free(pk); free(vk); free(hs); return NULL; }
    jbyteArray jpk = copyOut(env, pk, pkLen);
    if (jpk == NULL) { free(vk); free(hs); return NULL; }
    (*env)->SetObjectArrayElement(env, res, 0, jpk);
    jbyteArray jvk = copyOut(env, vk, vkLen);
    if (jvk == NULL) { free(hs); return NULL; }
    (*env)->SetObjectArrayElement(env, res, 1, jvk);
    jbyteArray jtr = cerOutStack(env, tr, 32);
    if (jtr == NULL) { free(hs); return NULL; }
    (*env)->SetObjectArrayElement(env, res, 2, jtr);
    jbyteArray jh = hashesOut(env, hs, count);
    free(hs);
    if (jh == NULL) return NULL;
    (*env)->SetObjectArrayElement(env, res, 3, jh);
    return res;
}

// One contribution against its predecessor: returns its 32-byte hash.
static jbyteArray verifyNext(JNIEnv *env, jstring id, jint power, jbyteArray prev, jbyteArray next) {
    long long n = 0, m = 0;
    unsigned char *p = copyIn(env, prev, &n);
    if (p == NULL) return NULL;
    unsigned char *x = copyIn(env, next, &m);
    if (x == NULL) { free(p); return NULL; }
    const char *cid = NULL;
    if (id != NULL && (cid = (*env)->GetStringUTFChars(env, id, NULL)) == NULL) { free(p); free(x); return NULL; }
    unsigned char h[32];
    char *err = NULL;
    int rc = cid != NULL ? zkm_ceremony_p2_verify_next((char *)cid, p, n, x, m, h, &err)
                         : zkm_ceremony_p1_verify_next((int)power, p, n, x, m, h, &err);
    if (cid != NULL) (*env)->ReleaseStringUTFChars(env, id, cid);
    free(p);
    free(x);
    if (rc != 0) { throwNative(env, rc, err); return NULL; }
    return cerOutStack(env, h, 32);
}

JNIEXPORT jbyteArray JNICALL Java_io_zkmargin_nativebridge_CeremonyLib_phase1VerifyNext(JNIEnv *env, jclass cls, jint power, jbyteArray prev, jbyteArray next) {
    return verifyNext(env, NULL, power, prev, next);
}

JNIEXPORT jbyteArray JNICALL Java_io_zkmargin_nativebridge_CeremonyLib_phase2VerifyNext(JNIEnv *env, jclass cls, jstring id, jbyteArray prev, jbyteArray next) {
    if (id == NULL) { throwArg(env, "circuit id is null"); return NULL; }
    return verifyNext(env, id, 0, prev, next);
}

// Returns {phase-1 final file, {file power, ceremony power} as 8 bytes big endian}.
JNIEXPORT jobjectArray JNICALL Java_io_zkmargin_nativebridge_CeremonyLib_importPtau(JNIEnv *env, jclass cls, jstring path, jint power) {
    if (path == NULL) { throwArg(env, "path is null"); return NULL; }
    const char *cp = (*env)->GetStringUTFChars(env, path, NULL);
    if (cp == NULL) return NULL;
    unsigned char *out = NULL;
    long long outLen = 0;
    int powers[2] = {0, 0};
    char *err = NULL;
    int rc = zkm_ceremony_ptau_import((char *)cp, (int)power, &out, &outLen, powers, &err);
    (*env)->ReleaseStringUTFChars(env, path, cp);
    if (rc != 0) { throwNative(env, rc, err); return NULL; }
    jclass ba = (*env)->FindClass(env, "[B");
    jobjectArray res = ba != NULL ? (*env)->NewObjectArray(env, 2, ba, NULL) : NULL;
    if (res == NULL) { free(out); return NULL; }
    jbyteArray commons = copyOut(env, out, outLen);
    if (commons == NULL) return NULL;
    (*env)->SetObjectArrayElement(env, res, 0, commons);
    unsigned char ps[8];
    for (int i = 0; i < 2; i++) {
        ps[4 * i] = (unsigned char)(powers[i] >> 24); ps[4 * i + 1] = (unsigned char)(powers[i] >> 16);
        ps[4 * i + 2] = (unsigned char)(powers[i] >> 8); ps[4 * i + 3] = (unsigned char)powers[i];
    }
    jbyteArray jp = cerOutStack(env, ps, 8);
    if (jp == NULL) return NULL;
    (*env)->SetObjectArrayElement(env, res, 1, jp);
    return res;
}
