use anyhow::Result;

use super::Context;
use crate::cli::StsArg;
use crate::error::Exit;

pub async fn run(_ctx: &Context, args: &StsArg) -> Result<Exit> {
    super::not_implemented("claims", args)
}
