//! `doctor`

use anyhow::Result;

use super::Context;
use crate::error::Exit;

pub async fn run(_ctx: &Context, args: &impl std::fmt::Debug) -> Result<Exit> {
    super::not_implemented("doctor", args)
}
