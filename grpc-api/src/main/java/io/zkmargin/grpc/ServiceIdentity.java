package io.zkmargin.grpc;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * The service's TLS identity: a self-signed certificate (ECDSA P-256, Bouncy Castle) that the
 * service makes in {@code DIR/tls/} on first start and reuses after, and the service id derived
 * from it.
 *
 * <p>The service id, the lower-case hex SHA-256 of the certificate's DER encoding, is bound into
 * every signed request (see {@link AuthMessage}): a request signed for one service cannot be
 * replayed against another. A client that pins the certificate computes the same id from it.
 *
 * @param certificateFile PEM certificate ({@code DIR/tls/server.crt}), what clients trust
 * @param privateKeyFile PEM PKCS#8 private key ({@code DIR/tls/server.key}, owner-readable only)
 * @param serviceId lower-case hex SHA-256 of the certificate's DER bytes, 64 characters
 */
public record ServiceIdentity(Path certificateFile, Path privateKeyFile, String serviceId) {

  /** Folder of the TLS files inside a data directory. */
  public static final String TLS_DIR = "tls";

  /** Certificate validity: ten years, a development certificate is not rotated. */
  static final Duration VALIDITY = Duration.ofDays(3650);

  /**
   * Loads the identity from {@code dataDir/tls/}, making the key and certificate first when absent.
   * The certificate names {@code localhost}, {@code 127.0.0.1}, {@code ::1} and this host's name.
   *
   * @throws IOException when the files cannot be read or written
   */
  public static ServiceIdentity loadOrCreate(Path dataDir) throws IOException {
    Path dir = dataDir.resolve(TLS_DIR);
    Path cert = dir.resolve("server.crt");
    Path key = dir.resolve("server.key");
    if (!Files.isRegularFile(cert) || !Files.isRegularFile(key)) {
      create(dir, cert, key);
    }
    return new ServiceIdentity(cert, key, serviceIdOf(cert));
  }

  /**
   * Reads the service id from a pinned certificate file, as a client does.
   *
   * @throws IOException when the file is missing or not a PEM certificate
   */
  public static String serviceIdOf(Path certificateFile) throws IOException {
    if (!Files.isRegularFile(certificateFile)) {
      throw new java.nio.file.NoSuchFileException(
          certificateFile.toString(),
          null,
          "no service certificate (it is made by the first ./zkm serve on that data directory)");
    }
    try (var in = Files.newInputStream(certificateFile)) {
      X509Certificate c =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IOException(certificateFile + " is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /**
   * The certificate file a client of the service whose data directory is {@code dataDir} trusts.
   */
  public static Path certificateFileIn(Path dataDir) {
    return dataDir.resolve(TLS_DIR).resolve("server.crt");
  }

  private static synchronized void create(Path dir, Path certFile, Path keyFile)
      throws IOException {
    Files.createDirectories(dir);
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair pair = gen.generateKeyPair();
      X500Name subject = new X500Name("CN=zkmargin service,O=zkmargin development");
      Instant now = Instant.now();
      BigInteger serial = new BigInteger(64, new SecureRandom()).setBit(63);
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              subject,
              serial,
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(VALIDITY)),
              subject,
              pair.getPublic());
      List<GeneralName> names = new ArrayList<>();
      for (String dns : hostNames()) {
        names.add(new GeneralName(GeneralName.dNSName, dns));
      }
      names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
      names.add(new GeneralName(GeneralName.iPAddress, "::1"));
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(new GeneralName[0])));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      ContentSigner signer =
          new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
      X509CertificateHolder holder = b.build(signer);

      Path keyTmp = Files.createTempFile(dir, ".key", ".tmp");
      try {
        Files.setPosixFilePermissions(keyTmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: the directory's permissions apply
      }
      Files.writeString(
          keyTmp,
          pem(new PemObject("PRIVATE KEY", pair.getPrivate().getEncoded())),
          StandardCharsets.US_ASCII);
      Path certTmp = Files.createTempFile(dir, ".crt", ".tmp");
      Files.writeString(
          certTmp,
          pem(new PemObject("CERTIFICATE", holder.getEncoded())),
          StandardCharsets.US_ASCII);
      Files.move(
          keyTmp, keyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.move(
          certTmp, certFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot make the service certificate: " + e.getMessage(), e);
    }
  }

  private static Set<String> hostNames() {
    Set<String> names = new LinkedHashSet<>();
    names.add("localhost");
    try {
      String h = InetAddress.getLocalHost().getHostName();
      if (h != null && !h.isBlank() && h.matches("[A-Za-z0-9.-]+")) {
        names.add(h);
      }
    } catch (IOException ignored) {
      // no resolvable host name: localhost and the loopback addresses still work
    }
    return names;
  }

  private static String pem(PemObject o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }
}
