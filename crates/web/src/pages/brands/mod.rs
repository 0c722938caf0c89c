//! 品牌示范 pages: 党建品牌 projects of a subtree, a brand's page with its declaration's way
//! through the workflow engine and its yearly record, the 《党建品牌创建申报登记表》 form and its
//! printable table; 示范点 with their checklists and acceptance visits; 经费 budget lines and
//! their ledgers; the public page of filed brands and sites.

pub mod funds;
pub mod projects;
pub mod public_board;
pub mod sites;
