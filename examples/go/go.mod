module example.com/wasmi-plugins/go-example

go 1.26
