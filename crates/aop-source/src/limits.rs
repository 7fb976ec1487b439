/// Bounds that keep a hostile or broken tree from exhausting the machine. Each one, when hit,
/// becomes a finding rather than a hang or a crash.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest configuration file read, in bytes.
    pub max_file_bytes: u64,
    /// Most files read for one tree.
    pub max_files: usize,
    /// Deepest chain of includes followed.
    pub max_include_depth: usize,
    /// Most paths one include pattern may expand to.
    pub max_glob_matches: usize,
    /// Deepest nesting of blocks or sections.
    pub max_nesting: usize,
    /// Most times files are spliced in by includes, counting a file each time it is included:
    /// two includes of the next file at each of 30 levels would otherwise splice a billion.
    pub max_inclusions: usize,
    /// Most bytes of configuration held for one run, all files together: a tree of many
    /// files each under the size limit would otherwise fill the machine.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 16 * 1024 * 1024,
            max_files: 100_000,
            max_include_depth: 64,
            max_glob_matches: 100_000,
            max_nesting: 200,
            max_inclusions: 1_000_000,
            max_total_bytes: 1 << 30,
        }
    }
}
