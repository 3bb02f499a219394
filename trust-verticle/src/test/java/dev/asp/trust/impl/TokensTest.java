package dev.asp.trust.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Tokens")
class TokensTest {

  @Test
  @DisplayName("agent and owner tokens carry 256 random bits in base64url after their prefix")
  void tokenShape() {
    Tokens.Issued agent = Tokens.newAgentToken();
    Tokens.Issued owner = Tokens.newOwnerToken();
    assertTrue(agent.token().matches("^tok_[A-Za-z0-9_-]{43}$"), agent.token());
    assertTrue(owner.token().matches("^own_[A-Za-z0-9_-]{43}$"), owner.token());
    assertNotEquals(agent.token(), Tokens.newAgentToken().token());
  }

  @Test
  @DisplayName("token ids are tkn_ plus a ULID and are unique")
  void tokenIds() {
    String id = Tokens.newTokenId();
    assertTrue(id.matches("^tkn_[0-9A-Z]{26}$"), id);
    assertNotEquals(id, Tokens.newTokenId());
  }

  @Test
  @DisplayName("the stored form is the SHA-256 of the token")
  void hashIsSha256() throws Exception {
    Tokens.Issued issued = Tokens.newAgentToken();
    byte[] expected =
        MessageDigest.getInstance("SHA-256")
            .digest(issued.token().getBytes(StandardCharsets.UTF_8));
    assertArrayEquals(expected, issued.hash().getBytes());
    assertTrue(Tokens.constantTimeEquals(expected, issued.token()));
    assertFalse(Tokens.constantTimeEquals(expected, issued.token() + "x"));
  }

  @Test
  @DisplayName("an issued token never shows up in its string form")
  void toStringHidesSecret() {
    Tokens.Issued issued = Tokens.newAgentToken();
    assertFalse(issued.toString().contains(issued.token()));
    assertEquals("Issued[tokenId=" + issued.tokenId() + "]", issued.toString());
  }
}
