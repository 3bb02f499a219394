package dev.asp.operator.impl;

import dev.asp.protocol.bus.BusFields;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a seed file in the public reference operator's shape: {@code {"@alice.test": "tok_alice",
 * "@bob.test": {"token": "tok_bob", "inbound_policy": "open", "allowlist": ["@acme.*"]}}}. The
 * trust verticle validates and applies it; this only turns the file into the SEED request.
 */
public final class SeedFile {
  private SeedFile() {}

  public static JsonObject read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read seed file " + file, e);
    }
    try {
      return new JsonObject().put(BusFields.AGENTS, new JsonObject(text));
    } catch (DecodeException e) {
      throw new IllegalArgumentException("seed file " + file + " is not a JSON object", e);
    }
  }
}
