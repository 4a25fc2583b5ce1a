// A JVM host for libvigil through JNA (Debian's libjna-java): compiles a rule
// pack and evaluates JSON Lines from stdin, printing one result per line.
//
//   java -cp /usr/share/java/jna.jar:. VigilHost LIBRARY RULES.vgl < events.jsonl
//
// LIBRARY is a path to libvigil.so.1 (absolute or relative) or a bare name
// that JNA looks up on its library path.
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

public final class VigilHost {
  /** The part of vigil.h this host uses; size_t is mapped to long (LP64). */
  public interface Vigil extends Library {
    int vigil_abi_version();
    int vigil_compiler_new(Pointer options, PointerByReference out);
    int vigil_compiler_add_file(Pointer compiler, byte[] path, long len);
    int vigil_compiler_build(Pointer compiler, PointerByReference out);
    String vigil_compiler_diag_render(Pointer compiler);
    void vigil_compiler_free(Pointer compiler);
    void vigil_ruleset_release(Pointer ruleset);
    int vigil_session_new(Pointer ruleset, Pointer options, PointerByReference out);
    int vigil_session_eval(Pointer session, Pointer event, Pointer result);
    void vigil_session_free(Pointer session);
    int vigil_event_new(Pointer ruleset, PointerByReference out);
    int vigil_event_set_json(Pointer event, byte[] json, long len);
    String vigil_event_errmsg(Pointer event);
    void vigil_event_free(Pointer event);
    int vigil_result_new(PointerByReference out);
    int vigil_result_json(Pointer result, PointerByReference json, NativeLongByReference len);
    void vigil_result_free(Pointer result);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: VigilHost LIBRARY RULES.vgl < events.jsonl");
      System.exit(2);
    }
    // A path names the file itself. JNA resolves only absolute paths so: a
    // relative one ("build/libvigil.so") would be searched for on its library
    // path and not found.
    String library = args[0].contains("/") ? new File(args[0]).getAbsolutePath() : args[0];
    Vigil v = Native.load(library, Vigil.class);
    if (v.vigil_abi_version() != 1) {
      System.err.println("unsupported vigil ABI " + v.vigil_abi_version());
      System.exit(2);
    }
    PointerByReference ref = new PointerByReference();
    v.vigil_compiler_new(null, ref);
    Pointer compiler = ref.getValue();
    byte[] path = args[1].getBytes(StandardCharsets.UTF_8);
    v.vigil_compiler_add_file(compiler, path, path.length);
    PointerByReference rulesRef = new PointerByReference();
    if (v.vigil_compiler_build(compiler, rulesRef) != 0) {
      System.err.print(v.vigil_compiler_diag_render(compiler));
      v.vigil_compiler_free(compiler);
      System.exit(1);
    }
    v.vigil_compiler_free(compiler);
    Pointer rules = rulesRef.getValue();
    v.vigil_session_new(rules, null, ref);
    Pointer session = ref.getValue();
    v.vigil_event_new(rules, ref);
    Pointer event = ref.getValue();
    v.vigil_result_new(ref);
    Pointer result = ref.getValue();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    int skipped = 0;
    int number = 0;
    StringBuilder out = new StringBuilder();
    for (String line; (line = in.readLine()) != null; ) {
      number++;
      if (line.isBlank()) continue;
      byte[] json = line.getBytes(StandardCharsets.UTF_8);
      if (v.vigil_event_set_json(event, json, json.length) != 0) {
        System.err.println("line " + number + ": " + v.vigil_event_errmsg(event));
        skipped++;
        continue;
      }
      if (v.vigil_session_eval(session, event, result) != 0) {
        System.err.println("line " + number + ": evaluation failed");
        System.exit(1);
      }
      PointerByReference text = new PointerByReference();
      NativeLongByReference len = new NativeLongByReference();
      v.vigil_result_json(result, text, len);
      byte[] bytes = text.getValue().getByteArray(0, (int) len.getValue().longValue());
      out.append(new String(bytes, StandardCharsets.UTF_8)).append('\n');
    }
    System.out.print(out);
    v.vigil_result_free(result);
    v.vigil_event_free(event);
    v.vigil_session_free(session);
    v.vigil_ruleset_release(rules);
    System.err.println(skipped + " skipped");
  }
}
