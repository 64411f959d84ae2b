// `std::visit(Overloaded{[](const A&) {...}, [](const B&) {...}}, v)`: one
// lambda per alternative of a variant. Shared by every phase that walks the
// AST's variants.
#ifndef CALDICOTT_COMPILER_AST_OVERLOADED_H_
#define CALDICOTT_COMPILER_AST_OVERLOADED_H_

namespace caldicott::ast {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace caldicott::ast

#endif  // CALDICOTT_COMPILER_AST_OVERLOADED_H_
