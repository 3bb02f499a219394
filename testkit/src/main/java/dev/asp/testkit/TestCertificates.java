package dev.asp.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made at test time with the JDK's {@code keytool}, and PEM files of
 * certificates it signs: nothing secret is checked in, and every run has its own CA. Blocking (it
 * runs {@code keytool}); call it from the test thread, never from an event loop.
 */
public final class TestCertificates {
  private static final String PASSWORD = "test-only-store-password";
  private static final long KEYTOOL_TIMEOUT_S = 60;

  private final Path dir;
  private final String alias;

  /** The CA's certificate in PEM: what the nodes that trust this CA are given. */
  public final Path caPem;

  /** PEM certificate and PKCS#8 private key of one member, signed by its CA. */
  public record Member(Path certPem, Path keyPem) {}

  private TestCertificates(Path dir, String alias) throws IOException {
    this.dir = dir;
    this.alias = alias;
    this.caPem = dir.resolve(alias + "-ca.pem");
    keytool(
        "-genkeypair",
        "-alias",
        alias,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=" + alias + " test CA",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        store(alias).toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        alias,
        "-keystore",
        store(alias).toString(),
        "-storepass",
        PASSWORD,
        "-file",
        caPem.toString());
  }

  /** A new CA named {@code alias}, its files under {@code dir}. */
  public static TestCertificates authority(Path dir, String alias) {
    try {
      return new TestCertificates(dir, alias);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A certificate for {@code name} signed by this CA, usable as TLS server and client, valid for
   * 127.0.0.1.
   */
  public Member member(String name) {
    try {
      String memberAlias = alias + "-" + name;
      Path store = store(memberAlias);
      Path csr = dir.resolve(memberAlias + ".csr");
      Path cert = dir.resolve(memberAlias + "-cert.pem");
      keytool(
          "-genkeypair",
          "-alias",
          memberAlias,
          "-keyalg",
          "RSA",
          "-keysize",
          "2048",
          "-dname",
          "CN=" + name,
          "-validity",
          "2",
          "-keystore",
          store.toString(),
          "-storetype",
          "PKCS12",
          "-storepass",
          PASSWORD);
      keytool(
          "-certreq",
          "-alias",
          memberAlias,
          "-keystore",
          store.toString(),
          "-storepass",
          PASSWORD,
          "-file",
          csr.toString());
      keytool(
          "-gencert",
          "-rfc",
          "-alias",
          alias,
          "-keystore",
          store(alias).toString(),
          "-storepass",
          PASSWORD,
          "-infile",
          csr.toString(),
          "-outfile",
          cert.toString(),
          "-validity",
          "2",
          "-ext",
          "san=ip:127.0.0.1",
          "-ext",
          "ku=digitalSignature,keyEncipherment",
          "-ext",
          "eku=serverAuth,clientAuth");
      Path key = dir.resolve(memberAlias + "-key.pem");
      Files.writeString(key, privateKeyPem(store, memberAlias), StandardCharsets.US_ASCII);
      return new Member(cert, key);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path store(String storeAlias) {
    return dir.resolve(storeAlias + ".p12");
  }

  private static String privateKeyPem(Path store, String keyAlias)
      throws IOException, GeneralSecurityException {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, PASSWORD.toCharArray());
    }
    byte[] pkcs8 = keyStore.getKey(keyAlias, PASSWORD.toCharArray()).getEncoded();
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
        + "\n-----END PRIVATE KEY-----\n";
  }

  private static void keytool(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    // output to a file, not a pipe: a full pipe would stall keytool until the timeout
    Path output = Files.createTempFile("keytool", ".log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    try {
      if (!process.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("keytool did not finish within " + KEYTOOL_TIMEOUT_S + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running keytool", e);
    }
    String log = Files.readString(output, StandardCharsets.UTF_8);
    Files.delete(output);
    if (process.exitValue() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + log);
    }
  }
}
