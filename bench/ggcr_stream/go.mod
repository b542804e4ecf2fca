module ggcrstream

go 1.19
