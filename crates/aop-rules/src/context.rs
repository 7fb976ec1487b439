use aop_model::Config;
use aop_source::SourceMap;

/// What a rule may look at: the model, and the source map for quoting names in messages.
pub struct Context<'a> {
    pub config: &'a Config,
    pub map: &'a SourceMap,
}
