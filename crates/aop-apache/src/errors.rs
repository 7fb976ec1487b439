//! What makes httpd refuse a configuration while reading its sections and directives, as
//! values: each error's text is httpd's own (`server/config.c`, `server/core.c`, mod_ssl,
//! mod_macro), built from the templates in [`wording`]; the tests below ask the real
//! `apache2 -t`.

use std::fmt;

use crate::remoteip::Refusal;

/// An error that stops httpd reading the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfError {
    /// A section still open at the end of its file.
    NotClosed { section: String },
    /// A section tag (`<Name args` or `</Name`) without its `>`.
    MissingClosingBracket { tag: String },
    /// A closing tag with no section open.
    ClosingWithoutOpening { section: String },
    /// A closing tag for another section than the one open.
    Mismatched { expected: String, saw: String },
    /// A directive no loaded module provides.
    InvalidCommand { name: String },
    /// A directive httpd declares with one argument (`TAKE1`) given none or several; `usage`
    /// is httpd's description of the argument.
    TakesOneArgument { name: String, usage: &'static str },
    /// A value a directive does not take (`SSLVerifyClient sometimes`).
    InvalidArgument { directive: String, value: String },
    /// An `SSLVHostSNIPolicy` value other than its four words.
    InvalidSniPolicy { value: String },
    /// A directive of the main server only, inside a `<VirtualHost>`.
    NotInVirtualHost { name: String },
    /// A `<VirtualHost>` inside another.
    VirtualHostInVirtualHost,
    /// A `<VirtualHost>` inside a per-directory section (`<Directory>`, `<Location>`, ...).
    VirtualHostInSection { section: String },
    /// `LoadModule` of a module compiled into httpd.
    BuiltInModule { module: String },
    /// A tree that loads modules but no multi-processing module.
    NoMpm,
    /// `<Macro>` without a name.
    MacroWithoutName,
    /// `Use` before any `<Macro>`, with or without a name.
    UseBeforeAnyMacro,
    /// `Use` without a name, once some macro is defined.
    UseWithoutName,
    /// `Use` of a name no `<Macro>` defined (httpd gives the name in lowercase).
    MacroUndefined { name: String },
    /// A macro used, directly or not, inside its own expansion.
    MacroRecursive { name: String },
    /// A source mod_remoteip cannot parse, in `directive` itself or, with `list_line`, at a
    /// line of the file a `...List` directive names.
    RemoteIpSource {
        value: String,
        refusal: Refusal,
        directive: String,
        list_line: Option<(usize, String)>,
    },
    /// `Use` with another number of arguments than the macro's parameters.
    MacroArity {
        name: String,
        /// Where the `<Macro>` is: its line and file.
        line: usize,
        file: String,
        given: usize,
        takes: usize,
    },
}

/// httpd's wording; `{}` holes take the error's values in order. Section names are as the
/// tree writes them.
pub mod wording {
    pub const NOT_CLOSED: &str = "<{}> was not closed.";
    pub const MISSING_CLOSING_BRACKET: &str = "{}> directive missing closing '>'";
    pub const CLOSING_WITHOUT_OPENING: &str = "</{}> without matching <{}> section";
    pub const MISMATCHED: &str = "Expected </{}> but saw </{}>";
    pub const INVALID_COMMAND: &str = "Invalid command '{}', perhaps misspelled or defined by a module not included in the server configuration";
    pub const TAKES_ONE_ARGUMENT: &str = "{} takes one argument, {}";
    pub const INVALID_ARGUMENT: &str = "{}: Invalid argument '{}'";
    pub const INVALID_SNI_POLICY: &str = "Invalid SSLVhostSNIPolicy argument '{}'";
    pub const NOT_IN_VIRTUAL_HOST: &str = "{} cannot occur within <VirtualHost> section";
    pub const VIRTUAL_HOST_IN_VIRTUAL_HOST: &str =
        "<VirtualHost> cannot occur within <VirtualHost> section";
    pub const VIRTUAL_HOST_IN_SECTION: &str = "<VirtualHost not allowed in <{}> context";
    pub const BUILT_IN_MODULE: &str = "module {} is built-in and can't be loaded";
    pub const NO_MPM: &str = "Configuration error: No MPM loaded.";
    pub const MACRO_WITHOUT_NAME: &str = "<Macro macro definition: empty name";
    pub const USE_BEFORE_ANY_MACRO: &str = "no macro defined before Use";
    pub const USE_WITHOUT_NAME: &str = "no macro name specified with Use";
    pub const MACRO_UNDEFINED: &str = "macro '{}' undefined";
    pub const MACRO_RECURSIVE: &str = "recursive use of macro '{}' is invalid";
    pub const REMOTEIP_SOURCE: &str = "RemoteIP: Error parsing IP {} {} for {}";
    pub const REMOTEIP_EMPTY: &str = "(Invalid argument error)";
    pub const REMOTEIP_ADDRESS: &str = "(The specified IP address is invalid. error)";
    pub const REMOTEIP_MASK: &str = "(The specified network mask is invalid. error)";
    pub const REMOTEIP_HOST_SUBNET: &str = "the subnet /{} is invalid";
    pub const REMOTEIP_LIST_LINE: &str = " at line {} of {}";
    pub const MACRO_ARITY: &str =
        "macro '{}' (defined on line {} of \"{}\") used with {} arguments instead of {}";

    /// What `Include` and `IncludeOptional` take, for [`super::ConfError::TakesOneArgument`].
    pub const INCLUDE_USAGE: &str = "Name(s) of the config file(s) to be included; fails if the wildcard does not match at least one file";
    pub const INCLUDE_OPTIONAL_USAGE: &str = "Name or pattern of the config file(s) to be included; ignored if the file does not exist or the pattern does not match any files";
}

impl ConfError {
    /// `Include` or, when `optional`, `IncludeOptional` without its path.
    pub fn include_without_path(optional: bool) -> Self {
        let (name, usage) = match optional {
            true => ("IncludeOptional", wording::INCLUDE_OPTIONAL_USAGE),
            false => ("Include", wording::INCLUDE_USAGE),
        };
        ConfError::TakesOneArgument {
            name: name.into(),
            usage,
        }
    }
}

impl fmt::Display for ConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use wording::*;
        let fill = aop_source::wording::fill;
        match self {
            ConfError::NotClosed { section } => fill(f, NOT_CLOSED, &[section]),
            ConfError::MissingClosingBracket { tag } => fill(f, MISSING_CLOSING_BRACKET, &[tag]),
            ConfError::ClosingWithoutOpening { section } => {
                fill(f, CLOSING_WITHOUT_OPENING, &[section, section])
            }
            ConfError::Mismatched { expected, saw } => fill(f, MISMATCHED, &[expected, saw]),
            ConfError::InvalidCommand { name } => fill(f, INVALID_COMMAND, &[name]),
            ConfError::TakesOneArgument { name, usage } => {
                fill(f, TAKES_ONE_ARGUMENT, &[name, usage])
            }
            ConfError::InvalidArgument { directive, value } => {
                fill(f, INVALID_ARGUMENT, &[directive, value])
            }
            ConfError::InvalidSniPolicy { value } => fill(f, INVALID_SNI_POLICY, &[value]),
            ConfError::NotInVirtualHost { name } => fill(f, NOT_IN_VIRTUAL_HOST, &[name]),
            ConfError::VirtualHostInVirtualHost => f.write_str(VIRTUAL_HOST_IN_VIRTUAL_HOST),
            ConfError::VirtualHostInSection { section } => {
                fill(f, VIRTUAL_HOST_IN_SECTION, &[section])
            }
            ConfError::BuiltInModule { module } => fill(f, BUILT_IN_MODULE, &[module]),
            ConfError::NoMpm => f.write_str(NO_MPM),
            ConfError::MacroWithoutName => f.write_str(MACRO_WITHOUT_NAME),
            ConfError::UseBeforeAnyMacro => f.write_str(USE_BEFORE_ANY_MACRO),
            ConfError::UseWithoutName => f.write_str(USE_WITHOUT_NAME),
            ConfError::MacroUndefined { name } => fill(f, MACRO_UNDEFINED, &[name]),
            ConfError::MacroRecursive { name } => fill(f, MACRO_RECURSIVE, &[name]),
            ConfError::RemoteIpSource {
                value,
                refusal,
                directive,
                list_line,
            } => {
                let subnet = value.split_once('/').map_or("", |(_, m)| m);
                let why = match refusal {
                    Refusal::Empty => REMOTEIP_EMPTY.to_string(),
                    Refusal::Address => REMOTEIP_ADDRESS.to_string(),
                    Refusal::Mask => REMOTEIP_MASK.to_string(),
                    Refusal::HostSubnet => REMOTEIP_HOST_SUBNET.replacen("{}", subnet, 1),
                };
                fill(f, REMOTEIP_SOURCE, &[value, &why, directive])?;
                match list_line {
                    Some((line, file)) => fill(f, REMOTEIP_LIST_LINE, &[&line.to_string(), file]),
                    None => Ok(()),
                }
            }
            ConfError::MacroArity {
                name,
                line,
                file,
                given,
                takes,
            } => fill(
                f,
                MACRO_ARITY,
                &[
                    name,
                    &line.to_string(),
                    file,
                    &given.to_string(),
                    &takes.to_string(),
                ],
            ),
        }
    }
}

#[cfg(test)]
mod tests;
