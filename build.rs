//! Embeds every `patterns/*.toml` rule file into the binary, so the built-in
//! rules travel with it and `--rules DIR` only adds to them.
use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new("patterns");
    println!("cargo:rerun-if-changed=patterns");
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("patterns/ folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    let mut out = String::from("/// Built-in rule files: (file name, contents).\npub static EMBEDDED: &[(&str, &str)] = &[\n");
    for n in &names {
        println!("cargo:rerun-if-changed=patterns/{n}");
        let abs = fs::canonicalize(dir.join(n)).unwrap();
        out.push_str(&format!(
            "    ({n:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded_rules.rs");
    fs::write(dest, out).unwrap();
}
