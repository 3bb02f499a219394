package dev.asp.operator;

import dev.asp.protocol.BuildInfo;
import java.util.Map;

/**
 * The jar's {@code --help} and {@code --version} text. The settings part is generated from {@link
 * ConfigLoader#SETTINGS}, the one table the loader validates against, so it cannot list a setting
 * the operator does not read or miss one it does.
 */
final class Usage {
  static final String USAGE = "java -jar asp-operator.jar [migrate | --help | --version]";

  private Usage() {}

  static String version() {
    BuildInfo build = BuildInfo.current();
    return "asp-operator " + build.version() + " (commit " + build.commit() + ")";
  }

  static String help() {
    StringBuilder text = new StringBuilder();
    text.append("usage: ").append(USAGE).append("\n\n");
    text.append("commands:\n");
    command(text, "(none)", "start the node: its roles, the HTTP and the management server");
    command(text, "migrate", "apply the schema migrations and exit (once per rollout)");
    command(text, Main.HELP, "print this help and exit");
    command(text, Main.VERSION, "print the version and the commit and exit");
    text.append("\ntools in the jar (java -cp asp-operator.jar CLASS ARGS):\n")
        .append("  ")
        .append(Watch.class.getName())
        .append(" <operator-url> <agent-token>\n")
        .append(
            "      an agent's live events: one JSON object per line on stdout, status on stderr\n");
    text.append(
            "\nsettings: environment variables, or the same keys in the properties file named\n")
        .append("by ASP_CONFIG_FILE (the environment wins); unknown ASP_ keys are refused\n");
    int keyWidth = 0;
    int defaultWidth = 0;
    for (Map.Entry<String, String[]> setting : ConfigLoader.SETTINGS.entrySet()) {
      keyWidth = Math.max(keyWidth, setting.getKey().length());
      defaultWidth = Math.max(defaultWidth, shown(setting.getValue()[0]).length());
    }
    for (Map.Entry<String, String[]> setting : ConfigLoader.SETTINGS.entrySet()) {
      text.append("  ")
          .append(pad(setting.getKey(), keyWidth))
          .append("  ")
          .append(pad(shown(setting.getValue()[0]), defaultWidth))
          .append("  ")
          .append(setting.getValue()[1])
          .append('\n');
    }
    return text.toString();
  }

  private static void command(StringBuilder text, String name, String doc) {
    text.append("  ").append(pad(name, 10)).append("  ").append(doc).append('\n');
  }

  private static String shown(String defaultValue) {
    return defaultValue == null ? "(unset)" : defaultValue;
  }

  private static String pad(String text, int width) {
    return text + " ".repeat(width - text.length());
  }
}
