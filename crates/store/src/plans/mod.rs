//! Plans: imported drafts under review and publishing a draft as a campaign.

pub mod drafts;
pub mod publish;
pub mod rules;
