package dev.asp.delivery.impl;

import io.vertx.core.json.JsonArray;

/**
 * The frames of one announcement, each encoded once however many connections receive it: on a large
 * session the encoding would otherwise be repeated per recipient.
 */
final class EncodedEvents {
  private final JsonArray events;
  private final String[] texts;

  EncodedEvents(JsonArray events) {
    this.events = events;
    this.texts = new String[events.size()];
  }

  String text(int index) {
    String text = texts[index];
    if (text == null) {
      text = events.getJsonObject(index).encode();
      texts[index] = text;
    }
    return text;
  }
}
