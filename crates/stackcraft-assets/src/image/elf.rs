//! Whether an x86-64 Linux executable is statically linked: an ELF64 file without a `PT_INTERP`
//! program header asks for no dynamic loader, so it runs in an image that has no libc.

const PT_INTERP: u32 = 3;

/// `Ok` for a static ELF64 executable, else why not.
pub fn check_static(binary: &[u8]) -> Result<(), String> {
    if binary.len() < 64 || &binary[..4] != b"\x7fELF" {
        return Err("not an ELF file".into());
    }
    if binary[4] != 2 || binary[5] != 1 {
        return Err("not a little-endian ELF64 file".into());
    }
    let u16_at = |at: usize| u16::from_le_bytes([binary[at], binary[at + 1]]) as usize;
    let phoff = u64::from_le_bytes(binary[0x20..0x28].try_into().expect("8 bytes")) as usize;
    let (phentsize, phnum) = (u16_at(0x36), u16_at(0x38));
    for i in 0..phnum {
        let at = phoff + i * phentsize;
        let p_type = binary
            .get(at..at + 4)
            .ok_or("program headers past the end of the file")?;
        if u32::from_le_bytes(p_type.try_into().expect("4 bytes")) == PT_INTERP {
            return Err("it asks for a dynamic loader (PT_INTERP)".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_static;

    #[test]
    fn the_dynamically_linked_test_binary_is_not_static() {
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let err = check_static(&me).unwrap_err();
        assert!(err.contains("PT_INTERP"), "{err}");
        assert!(check_static(b"#!/bin/sh\n").is_err());
    }
}
