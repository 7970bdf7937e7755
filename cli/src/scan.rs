pub(crate) fn run(_argv: &[String]) -> Result<u8, String> {
    Err("todo".into())
}
